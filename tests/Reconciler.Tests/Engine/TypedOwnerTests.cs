using Reconciler.Findings;
using Reconciler.Planning;

namespace Reconciler.Tests.Engine;

/// <summary>
/// An identity or a prefix set may share its name with a dependency: what a finding is owned by decides whose owner,
/// advice and timeline its issue or pull request carries, never a look-up of the name as a dependency.
/// </summary>
public sealed class TypedOwnerTests
{
    /// <summary>A dependency, an identity and a prefix set all called <c>github-api</c>; a dependency and a set no rule uses called <c>idle</c>.</summary>
    private static Reconciler.Policies.Model.PolicySet Policies() => DriftEngineTests.Parse("""
        dependencies:
          - name: github-api
            owner: "@octo-org/platform"
            hosts: [api.example.test]
            identity: github-api
          - name: idle
            owner: "@octo-org/idle"
            hosts: [idle.example.test]
        identities:
          - name: github-api
            egress_ips: [203.0.113.10]
        prefix_sets:
          - name: github-api
            provider: { name: github, service: api }
            prefixes: [198.51.100.0/24]
          - name: idle
            provider: { name: github, service: api }
            prefixes: [203.0.113.0/24]
        allowlists:
          - name: egress
            kind: iptables
            rules:
              - dependency: github-api
                destinations: [192.0.2.1]
                reason: T1
              - dependency: github-api
                prefix_set: github-api
                reason: T2
        """);

    private static Finding Of(FindingKind kind, string subject, FindingAction action, string? allowlist = null, string? prefixSet = null) => new()
    {
        Kind = kind, Severity = Severity.Medium, Dependency = "github-api", Allowlist = allowlist, PrefixSet = prefixSet,
        Subject = subject, Message = "m", Action = action,
    };

    [Fact]
    public void An_identity_named_like_a_dependency_does_not_borrow_its_owner()
    {
        var policies = Policies();
        var drift = Of(FindingKind.EgressIpDrift, "203.0.113.99", FindingAction.Issue);
        var unresolved = Of(FindingKind.ResolutionFailed, "api.example.test", FindingAction.Issue);

        var issues = IssueGrouping.Plan(policies, [drift, unresolved], null, null);

        Assert.Equal(OwnerKind.Identity, drift.Owner.Kind);
        Assert.DoesNotContain("owner:", issues.Single(i => i.Finding.Kind == FindingKind.EgressIpDrift).Body, StringComparison.Ordinal);
        // Control: the dependency's own issue names its owner.
        Assert.Contains("- owner: @octo-org/platform", issues.Single(i => i.Finding.Kind == FindingKind.ResolutionFailed).Body, StringComparison.Ordinal);
        // What publishing routes by: the dependency's issue to its owner, the identity's to no one.
        Assert.Equal([null, "github-api"], issues.OrderBy(i => i.Finding.Kind == FindingKind.ResolutionFailed).Select(i => i.OwnedByDependency));
    }

    [Fact]
    public void A_prefix_set_named_like_a_dependency_does_not_take_its_advice()
    {
        var policies = Policies();
        var suggestions = new Dictionary<string, string> { ["github-api"] = "consider track: provider" };
        var added = Of(FindingKind.ProviderRangeAdded, "198.51.101.0/24", FindingAction.PullRequest, prefixSet: "github-api");
        var missing = Of(FindingKind.MissingIp, "192.0.2.2", FindingAction.PullRequest, allowlist: "egress");

        var plan = Planner.Plan(policies, [added, missing], suggestions);

        Assert.Equal(OwnerKind.PrefixSet, added.Owner.Kind);
        var set = plan.PullRequests.Single(p => p.Allowlist == PrefixSetPlanner.PseudoAllowlist);
        Assert.Null(set.Failure);
        Assert.DoesNotContain("consider track: provider", set.Body, StringComparison.Ordinal);
        // Control: the dependency's own pull request carries its advice.
        var own = plan.PullRequests.Single(p => p.Allowlist == "egress");
        Assert.Null(own.Failure);
        Assert.Contains("consider track: provider", own.Body, StringComparison.Ordinal);
        Assert.Equal((null, "github-api"), (set.OwnedByDependency, own.OwnedByDependency));
    }

    [Fact]
    public void Only_a_dependency_a_finding_is_about_is_found_for_it()
    {
        var policies = Policies();

        Assert.Equal("github-api", Of(FindingKind.MissingIp, "192.0.2.2", FindingAction.PullRequest, allowlist: "egress").DependencyIn(policies)?.Name);
        Assert.Null(Of(FindingKind.EgressIpDrift, "203.0.113.99", FindingAction.Issue).DependencyIn(policies));
        Assert.Null((Of(FindingKind.SafetyWeakened, "stale_after", FindingAction.Issue) with { Dependency = FindingOwner.PolicyWide }).DependencyIn(policies));
        // A prefix set's finding names the first dependency that uses the set: that one is found...
        Assert.Equal("github-api", Of(FindingKind.ProviderRangeAdded, "198.51.101.0/24", FindingAction.PullRequest, prefixSet: "github-api").DependencyIn(policies)?.Name);
        // ...but a set no rule uses names itself, and the dependency of that name is not its.
        Assert.Null((Of(FindingKind.ProviderRangeAdded, "198.51.101.0/24", FindingAction.PullRequest, prefixSet: "idle") with { Dependency = "idle" }).DependencyIn(policies));
    }

    [Fact]
    public void A_held_removal_from_a_prefix_set_names_the_owner_of_the_dependency_that_uses_it_and_no_namesake()
    {
        var policies = Policies();
        var used = Of(FindingKind.RemovalHeld, "removals", FindingAction.Issue, prefixSet: "github-api");
        var unused = Of(FindingKind.RemovalHeld, "removals", FindingAction.Issue, prefixSet: "idle") with { Dependency = "idle" };

        var issues = IssueGrouping.Plan(policies, [used, unused], null, null);

        Assert.Contains("- owner: @octo-org/platform", issues.Single(i => i.Finding.PrefixSet == "github-api").Body, StringComparison.Ordinal);
        Assert.DoesNotContain("owner:", issues.Single(i => i.Finding.PrefixSet == "idle").Body, StringComparison.Ordinal);
        Assert.Equal(["github-api", null], issues.OrderBy(i => i.Finding.PrefixSet == "idle").Select(i => i.OwnedByDependency));
    }
}
