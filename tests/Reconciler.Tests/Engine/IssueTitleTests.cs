using Reconciler.Findings;
using Reconciler.Planning;

namespace Reconciler.Tests.Engine;

/// <summary>
/// Issue titles are what people read in a list of issues and what publishing compares to decide an edit: each kind's
/// title is held here to the text it had when titles were a switch in IssueGrouping, for one finding and for a group.
/// </summary>
public sealed class IssueTitleTests
{
    private static Finding Of(FindingKind kind, string subject, string? allowlist = "egress", string? host = "api.example.test", string? prefixSet = null, string? waf = null) => new()
    {
        Kind = kind, Severity = Severity.Medium, Dependency = "api", Allowlist = allowlist, PrefixSet = prefixSet, Host = host,
        Subject = subject, Message = "m", Action = FindingAction.Issue, Waf = waf,
    };

    /// <summary>One finding alone, and three merged under a subject that is no address (as IssueGrouping merges them).</summary>
    private static (string One, string Three) Titles(FindingKind kind, string subject, string? allowlist = "egress", string? host = "api.example.test", string? prefixSet = null, string? waf = null)
    {
        var one = Of(kind, subject, allowlist, host, prefixSet, waf);
        List<Finding> group = [one, one with { Subject = "192.0.2.9" }, one with { Subject = "2001:db8::1" }];
        var merged = one with { Subject = "https://api.example.test/health" };
        return (IssueGrouping.Title(one, [one]), IssueGrouping.Title(merged, group));
    }

    public static TheoryData<FindingKind, string, string> Expected => new()
    {
        { FindingKind.MissingIp, "api: missing ip (192.0.2.1)", "api: missing ip (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.StaleIp, "api: stale ip (192.0.2.1)", "api: stale ip (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.ProviderRangeAdded, "api: provider range added (192.0.2.1)", "api: provider range added (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.ProviderRangeRemoved, "api: provider range removed (192.0.2.1)", "api: provider range removed (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.OutsideProviderRange, "api: api.example.test resolves outside its provider's published ranges (192.0.2.1)", "api: api.example.test resolves outside its provider's published ranges (3 addresses)" },
        { FindingKind.CdnFronted, "api: now behind 192.0.2.1; admit it by name at a proxy", "api: now behind https://api.example.test/health; admit it by name at a proxy" },
        { FindingKind.StaticIpChanged, "api: api.example.test resolves outside the partner's addresses (192.0.2.1)", "api: api.example.test resolves outside the partner's addresses (3 addresses)" },
        { FindingKind.ResolutionFailed, "api: 192.0.2.1 does not resolve", "api: 192.0.2.1, 192.0.2.9, 2001:db8::1 do not resolve" },
        { FindingKind.EgressIpDrift, "api: we leave from 192.0.2.1, which partners may not admit", "api: we leave from https://api.example.test/health, which partners may not admit" },
        { FindingKind.UserAgentRisk, "api: WAFs may refuse the user agent \"192.0.2.1\"", "api: WAFs may refuse the user agent \"https://api.example.test/health\"" },
        { FindingKind.ProbeBlocked, "api: Cloudflare refuses our probe of api.example.test (192.0.2.1)", "api: Cloudflare refuses our probe of api.example.test (3 addresses)" },
        { FindingKind.ProbeFailed, "api: the probe of 192.0.2.1 fails at 192.0.2.1", "api: the probe of https://api.example.test/health fails at 3 addresses" },
        { FindingKind.OverBroadRule, "api: egress admits far more than it needs (192.0.2.1)", "api: egress admits far more than it needs (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.LiveRuleDrift, "api: hosts of egress run other rules than the policies say", "api: hosts of egress run other rules than the policies say" },
        { FindingKind.IgnoreExpired, "An ignore entry for api has expired (192.0.2.1)", "An ignore entry for api has expired (https://api.example.test/health)" },
        { FindingKind.RuleAdmitsNothing, "api: a rule of egress admits none of its traffic", "api: a rule of egress admits none of its traffic" },
        { FindingKind.AddressNotResolved, "api: address not resolved (192.0.2.1)", "api: address not resolved (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.RemovalInUse, "api: removal in use (192.0.2.1)", "api: removal in use (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.RuleWithoutReason, "api: rule without reason (192.0.2.1)", "api: rule without reason (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.RemovalHeld, "api: removals from egress held back for a person to check", "api: removals from egress held back for a person to check" },
        { FindingKind.DnsCacheTooLong, "api: 192.0.2.1 keeps DNS answers longer than they live", "api: https://api.example.test/health keeps DNS answers longer than they live" },
        { FindingKind.AdditionRefused, "api: 192.0.2.1 not proposed, outside the trust boundary", "api: 192.0.2.1, 192.0.2.9, 2001:db8::1 not proposed, outside the trust boundary" },
        { FindingKind.AdditionHeld, "api: a flood of new addresses for egress held back for a person to check", "api: a flood of new addresses for egress held back for a person to check" },
        { FindingKind.PolicyWidened, "api: policy widened (192.0.2.1)", "api: policy widened (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.SafetyWeakened, "api: safety weakened (192.0.2.1)", "api: safety weakened (192.0.2.1, 192.0.2.9, 2001:db8::1)" },
        { FindingKind.ProviderDataStale, "api: the 192.0.2.1 provider data it follows is out of date", "api: the https://api.example.test/health provider data it follows is out of date" },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_kind_has_the_title_it_had(FindingKind kind, string one, string three)
    {
        Assert.Equal((one, three), Titles(kind, "192.0.2.1", waf: kind == FindingKind.ProbeBlocked ? "Cloudflare" : null));
    }

    [Fact]
    public void Every_kind_has_a_title_held_here()
    {
        Assert.Equal(Enum.GetValues<FindingKind>().Order(), Expected.Select(row => (FindingKind)row[0]).Order());
    }

    [Fact]
    public void Every_row_of_the_facts_table_words_a_title_that_names_the_owner()
    {
        Assert.Equal(Enum.GetValues<FindingKind>().Order(), FindingKindFacts.All.Select(f => f.Kind).Order());
        foreach (var facts in FindingKindFacts.All)
        {
            var title = facts.Title(new TitleParts(facts.Kind, "owner-x", null, "s", ["s"], null, null, null));
            Assert.Contains("owner-x", title, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_parts_a_title_leaves_out_read_plainly()
    {
        // No allowlist, no host, no WAF: the title says what it can without them.
        Assert.Equal("api: an allowlist admits far more than it needs (192.0.2.1)", Titles(FindingKind.OverBroadRule, "192.0.2.1", allowlist: null).One);
        Assert.Equal("api: api resolves outside its provider's published ranges (192.0.2.1)", Titles(FindingKind.OutsideProviderRange, "192.0.2.1", host: null).One);
        Assert.Equal("api: a WAF refuses our probe of api.example.test (192.0.2.1)", Titles(FindingKind.ProbeBlocked, "192.0.2.1").One);
        Assert.Equal("api: removals from prefix set aws held back for a person to check", Titles(FindingKind.RemovalHeld, "192.0.2.1", allowlist: null, prefixSet: "aws").One);
        // More than four subjects are counted, and a title longer than 120 characters is cut.
        var many = Enumerable.Range(1, 6).Select(i => Of(FindingKind.AdditionRefused, $"192.0.2.{i}")).ToList();
        Assert.Equal("api: 192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4 and 2 more not proposed, outside the trust boundary", IssueGrouping.Title(many[0], many));
        var longHost = Of(FindingKind.StaticIpChanged, "192.0.2.1", host: new string('h', 130) + ".example.test");
        Assert.Equal(120, IssueGrouping.Title(longHost, [longHost]).Length);
        Assert.EndsWith("…", IssueGrouping.Title(longHost, [longHost]), StringComparison.Ordinal);
    }
}
