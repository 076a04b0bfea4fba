using Reconciler.Findings;

namespace Reconciler.Tests.Engine;

/// <summary>Publishing finds its pull requests and issues by fingerprint: typing a finding's owner must not move one.</summary>
public sealed class FindingIdentityTests
{
    private static Finding Of(FindingKind kind, string dependency, string subject, string? allowlist = null, string? prefixSet = null, string? host = null) => new()
    {
        Kind = kind, Severity = Severity.Medium, Dependency = dependency, Allowlist = allowlist, PrefixSet = prefixSet, Host = host,
        Subject = subject, Message = "m", Action = FindingAction.Issue,
    };

    /// <summary>Values recorded from main before findings were typed (SHA-256 of kind, owner, allowlist or prefix set, subject).</summary>
    [Fact]
    public void The_fingerprints_of_a_fixed_set_of_findings_are_unchanged()
    {
        Assert.Equal("503c0e58f391014f", Of(FindingKind.StaleIp, "api", "192.0.2.1", allowlist: "egress").Fingerprint);
        Assert.Equal("ff623e3d2b8f19bc", Of(FindingKind.ProviderRangeRemoved, "cdn", "198.51.100.0/24", prefixSet: "fastly").Fingerprint);
        Assert.Equal("ed5df2ce19bff0b9", Of(FindingKind.SafetyWeakened, "*", "max_removal_share").Fingerprint);
        Assert.Equal("bf3c9e8296138caf", Of(FindingKind.EgressIpDrift, "batch", "203.0.113.9").Fingerprint);
        Assert.Equal("73243cf1ebb8882f", Of(FindingKind.LiveRuleDrift, "egress", "198.51.100.7", allowlist: "egress", host: "gw1").Fingerprint);
    }

    [Fact]
    public void A_finding_says_what_owns_it()
    {
        Assert.Equal(new FindingOwner(OwnerKind.Dependency, "api"), Of(FindingKind.StaleIp, "api", "192.0.2.1", allowlist: "egress").Owner);
        Assert.Equal(new FindingOwner(OwnerKind.PrefixSet, "fastly"), Of(FindingKind.ProviderRangeRemoved, "cdn", "198.51.100.0/24", prefixSet: "fastly").Owner);
        Assert.Equal(new FindingOwner(OwnerKind.Policy, "*"), Of(FindingKind.SafetyWeakened, "*", "max_removal_share").Owner);
        Assert.Equal(new FindingOwner(OwnerKind.Identity, "batch"), Of(FindingKind.EgressIpDrift, "batch", "203.0.113.9").Owner);
        Assert.Equal(new FindingOwner(OwnerKind.AllowlistHosts, "egress@gw1"), Of(FindingKind.LiveRuleDrift, "egress", "198.51.100.7", allowlist: "egress", host: "gw1").Owner);
        // Positive control: live drift of a dependency's rule is the dependency's.
        Assert.Equal(OwnerKind.Dependency, Of(FindingKind.LiveRuleDrift, "api", "198.51.100.7", allowlist: "egress", host: "gw1").Owner.Kind);
    }

    [Fact]
    public void An_issue_title_names_the_WAF_the_finding_carries_not_one_found_in_its_message()
    {
        var blocked = Of(FindingKind.ProbeBlocked, "api", "192.0.2.1", host: "api.example.test") with { Message = "https://api.example.test/ at 192.0.2.1 was refused by Akamai (403).", Waf = "Cloudflare" };

        Assert.Contains("Cloudflare refuses our probe", Reconciler.Planning.IssueGrouping.Title(blocked, [blocked]), StringComparison.Ordinal);
        // Control: with no WAF carried, the title says so plainly; the message is never read.
        Assert.Contains("a WAF refuses our probe", Reconciler.Planning.IssueGrouping.Title(blocked with { Waf = null }, [blocked with { Waf = null }]), StringComparison.Ordinal);
    }
}
