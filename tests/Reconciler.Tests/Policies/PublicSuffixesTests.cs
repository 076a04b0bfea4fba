using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Validation;

namespace Reconciler.Tests.Policies;

/// <summary>The Public Suffix List matcher against the list's own rules, on a small list and on the one shipped.</summary>
public sealed class PublicSuffixesTests
{
    // Every kind of rule once: plain, nested, wildcard, exception, IDN, a rule followed by white space and a comment.
    private const string Small = """
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        *.ck
        !www.ck
        jp
        *.kawasaki.jp
        !city.kawasaki.jp
        公司.cn
        // ===END ICANN DOMAINS===
        // ===BEGIN PRIVATE DOMAINS===
        github.io  trailing text is not part of the rule
        s3.amazonaws.com
        """;

    [Theory]
    [InlineData("com", "com")]
    [InlineData("example.com", "com")]
    [InlineData("www.example.com", "com")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("bbc.co.uk", "co.uk")]
    [InlineData("uk", "uk")]
    [InlineData("parliament.uk", "uk")]
    [InlineData("ck", "ck")]                         // *.ck does not match ck itself; the default rule does
    [InlineData("anything.ck", "anything.ck")]        // the wildcard makes every child a suffix
    [InlineData("a.anything.ck", "anything.ck")]
    [InlineData("www.ck", "ck")]                      // the exception beats the wildcard
    [InlineData("x.www.ck", "ck")]
    [InlineData("kawasaki.jp", "jp")]
    [InlineData("b.kawasaki.jp", "b.kawasaki.jp")]
    [InlineData("city.kawasaki.jp", "kawasaki.jp")]
    [InlineData("www.city.kawasaki.jp", "kawasaki.jp")]
    [InlineData("xn--55qx5d.cn", "xn--55qx5d.cn")]   // 公司.cn, as host names are normalized
    [InlineData("shop.xn--55qx5d.cn", "xn--55qx5d.cn")]
    [InlineData("cn", "cn")]
    [InlineData("github.io", "github.io")]
    [InlineData("someone.github.io", "github.io")]
    [InlineData("bucket.s3.amazonaws.com", "s3.amazonaws.com")]
    [InlineData("amazonaws.com", "com")]
    [InlineData("partner.example", "example")]        // no rule: the last label
    [InlineData("api.partner.example", "example")]
    public void The_suffix_of_a_name_follows_the_lists_rules(string name, string suffix) =>
        Assert.Equal(suffix, PublicSuffixes.Parse(Small).SuffixOf(name));

    [Theory]
    [InlineData("com", "com")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("uk", "uk")]
    [InlineData("github.io", "github.io")]
    [InlineData("amazonaws.com", "s3.amazonaws.com")] // a suffix below it: .amazonaws.com admits every bucket
    [InlineData("kawasaki.jp", "*.kawasaki.jp")]     // not a suffix itself, but every child is
    [InlineData("b.kawasaki.jp", "b.kawasaki.jp")]
    [InlineData("example.com", null)]
    [InlineData("bbc.co.uk", null)]
    [InlineData("someone.github.io", null)]
    [InlineData("city.kawasaki.jp", null)]            // an exception is somebody's own name
    [InlineData("partner.example", null)]
    public void A_suffix_at_or_below_a_domain_is_found(string domain, string? suffix) =>
        Assert.Equal(suffix, PublicSuffixes.Parse(Small).SuffixAtOrBelow(domain));

    [Theory]
    [InlineData("com", true)]
    [InlineData("co.uk", true)]
    [InlineData("github.io", true)]                   // the private section counts
    [InlineData("s3.amazonaws.com", true)]
    [InlineData("us-east-1.amazonaws.com", true)]
    [InlineData("blogspot.com", true)]
    [InlineData("test", true)]                        // not listed: a top-level label is a suffix
    [InlineData("example.com", false)]
    [InlineData("gmc-uk.org", false)]
    [InlineData("sns.us-east-1.amazonaws.com", false)]
    [InlineData("webservices.gmc-uk.org", false)]
    public void The_shipped_list_knows_both_sections(string name, bool isSuffix) =>
        Assert.Equal(isSuffix, PublicSuffixes.Default.IsPublicSuffix(name));

    [Fact]
    public void The_shipped_list_is_whole()
    {
        // Debian's 2023 copy has about 9,600 rules; a truncated or unembedded file would have far fewer.
        Assert.InRange(PublicSuffixes.Default.Count, 9_000, 20_000);
        Assert.EndsWith(".amazonaws.com", PublicSuffixes.Default.SuffixAtOrBelow("amazonaws.com"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wildcard_in_the_middle_is_not_a_rule_of_the_list() =>
        Assert.Throws<FormatException>(() => PublicSuffixes.Parse("a.*.b\n"));

    [Theory]
    [InlineData(".com", true)]
    [InlineData(".co.uk", true)]
    [InlineData(".github.io", true)]
    [InlineData(".amazonaws.com", true)]
    [InlineData(".test", true)]
    [InlineData("com", false)]                        // a bare name admits itself alone
    [InlineData(".gmc-uk.org", false)]
    [InlineData(".partner.test", false)]
    [InlineData(".someone.github.io", false)]
    public void Plan_reports_a_proxy_domain_that_admits_a_public_suffix(string domain, bool overBroad)
    {
        var yaml = $"dependencies:\n  - name: a\n    hosts: [api.partner.test]\nallowlists:\n  - name: squid\n    kind: proxy\n    rules:\n      - dependency: a\n        domains: [\"{domain}\"]\n";
        var result = PolicyParser.Parse([new PolicySource("p.yaml", yaml)]);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));

        var findings = PolicyLint.Check(result.Policies!).Where(f => f.Kind == FindingKind.OverBroadRule).ToList();

        if (!overBroad)
        {
            Assert.Empty(findings);
            return;
        }
        var finding = Assert.Single(findings);
        Assert.Equal((Severity.High, domain, FindingAction.Issue), (finding.Severity, finding.Subject, finding.Action));
        Assert.Equal((9, 19), (finding.Location!.Line, finding.Location.Column));
    }
}
