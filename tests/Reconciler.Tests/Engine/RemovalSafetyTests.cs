using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Policies.Loading;
using Reconciler.Planning;

namespace Reconciler.Tests.Engine;

/// <summary>The safety thresholds: a removal too large to be likely is held back as an issue; additions always go ahead.</summary>
public sealed class RemovalSafetyTests
{
    /// <summary>other's nine addresses all resolve and stay; api resolves to <paramref name="seen"/>, every day for a month.</summary>
    private static (IReadOnlyList<Finding> Findings, ChangePlan Plan) Planned(string apiRules, string seen = "192.0.2.1", bool pinOther = false, string settings = "")
    {
        var policies = DriftEngineTests.Parse($"""
            dependencies:
              - name: api
                hosts: [api.example.test]
              - name: other
                hosts: [other.example.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
            {apiRules}
                  - dependency: other
                    pinned: {(pinOther ? "true" : "false")}
                    destinations: [{string.Join(", ", OtherAddresses)}]
            settings:
              stale_after: 4d
            {settings}
            """);
        var observations = DriftEngineTests.Observations([$"api.example.test A Answer {seen}", $"other.example.test A Answer {string.Join(",", OtherAddresses)}"]);
        var findings = RemovalSafety.Hold(policies, DriftEngineTests.Diff(policies, observations, DriftEngineTests.Daily(observations), DriftEngineTests.Now));
        return (findings, Planner.Plan(policies, findings));
    }

    private static readonly string[] OtherAddresses = [.. Enumerable.Range(1, 9).Select(n => $"203.0.113.{n}")];

    private static string Rule(params int[] last) => $"      - dependency: api\n        destinations: [{string.Join(", ", last.Select(n => $"192.0.2.{n}"))}]";

    [Fact]
    public void One_stale_address_among_many_is_still_proposed()
    {
        var (findings, plan) = Planned(Rule(1, 2));

        Assert.DoesNotContain(findings, f => f.Kind == FindingKind.RemovalHeld);
        Assert.Equal(["192.0.2.2"], Assert.Single(plan.PullRequests).Removed);
    }

    [Fact]
    public void More_than_the_share_is_held_back_as_an_issue_that_lists_what_would_have_gone()
    {
        var (findings, plan) = Planned(Rule(1, 2, 3, 4, 5, 6));

        Assert.Empty(plan.PullRequests);
        var held = Assert.Single(findings, f => f.Kind == FindingKind.RemovalHeld);
        Assert.Equal((FindingAction.Issue, "egress", "api"), (held.Action, held.Allowlist, held.Dependency));
        Assert.Contains("(192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5 and 1 more)", held.Message, StringComparison.Ordinal);
        Assert.Contains("5 of the 15 destinations egress could lose (33%), over max_removal_share (30%)", held.Message, StringComparison.Ordinal);
        Assert.Equal(5, held.Evidence.Count);
        Assert.All(findings.Where(f => f.Kind == FindingKind.StaleIp), f => Assert.Equal(FindingAction.None, f.Action));
        Assert.All(findings.Where(f => f.Kind == FindingKind.StaleIp), f => Assert.EndsWith("Held back from the plan by the safety threshold (see the removal-held issue).", f.Message, StringComparison.Ordinal));
        Assert.Single(plan.Issues, i => i.Finding.Kind == FindingKind.RemovalHeld);
    }

    [Fact]
    public void Additions_go_ahead_when_the_removals_are_held()
    {
        var (_, plan) = Planned(Rule(1, 2, 3, 4, 5, 6), seen: "192.0.2.1,192.0.2.7");

        var pr = Assert.Single(plan.PullRequests);
        Assert.Equal(["192.0.2.7"], pr.Added);
        Assert.Empty(pr.Removed);
    }

    [Fact]
    public void A_rule_that_would_be_left_with_no_destinations_is_held()
    {
        var (findings, plan) = Planned(Rule(1) + "\n" + Rule(9));

        Assert.Empty(plan.PullRequests);
        // The second api rule (line 12) holds only 192.0.2.9, which nothing resolves to.
        Assert.Contains("they would leave the rule at p.yaml:12:", Assert.Single(findings, f => f.Kind == FindingKind.RemovalHeld).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pinned_destinations_are_not_counted_as_removable()
    {
        var (findings, plan) = Planned(Rule(1, 2), pinOther: true);

        Assert.Empty(plan.PullRequests);
        Assert.Contains("1 of the 2 destinations", Assert.Single(findings, f => f.Kind == FindingKind.RemovalHeld).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_share_is_a_setting()
    {
        var (findings, plan) = Planned(Rule(1, 2, 3, 4, 5, 6), settings: "  max_removal_share: 100%");

        Assert.DoesNotContain(findings, f => f.Kind == FindingKind.RemovalHeld);
        Assert.Equal(5, Assert.Single(plan.PullRequests).Removed.Count);
    }

    [Theory]
    [InlineData("150%")]
    [InlineData("-1%")]
    [InlineData("lots")]
    [InlineData("1.5")]
    public void A_share_outside_none_to_all_is_invalid_at_its_place(string share)
    {
        var result = PolicyParser.Parse([new PolicySource("p.yaml", $"settings:\n  max_removal_share: {share}\n")]);

        var error = Assert.Single(result.Errors);
        Assert.Equal("p.yaml:2:22", error.Location.ToString());
        Assert.Contains("max_removal_share must be a percentage from 0% to 100%", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The threshold reads the table of facts, not a list of its own: whatever kinds remove (today stale-ip and
    /// provider-range-removed), each is held when its removals are over the share, and a new one cannot slip past.
    /// </summary>
    [Theory]
    [MemberData(nameof(RemovalKinds))]
    public void Every_kind_whose_effect_is_remove_is_held_by_the_threshold(FindingKind kind)
    {
        var policies = DriftEngineTests.Parse("""
            dependencies:
              - name: api
                hosts: [api.example.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: api
                    destinations: [192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4]
            """);
        Finding Removal(string subject, FindingKind k) => new()
        {
            Kind = k, Severity = Severity.Medium, Dependency = "api", Allowlist = "egress", Subject = subject,
            Message = $"{subject} goes.", Action = FindingAction.PullRequest,
        };

        var few = RemovalSafety.Hold(policies, [Removal("192.0.2.1", kind)]);
        var many = RemovalSafety.Hold(policies, [Removal("192.0.2.1", kind), Removal("192.0.2.2", kind), Removal("192.0.2.3", kind)]);

        // Positive control: one of four is under the share and goes ahead, so the hold below is the threshold's doing.
        Assert.Equal(FindingAction.PullRequest, Assert.Single(few).Action);
        Assert.All(many.Where(f => f.Kind == kind), f => Assert.Equal(FindingAction.None, f.Action));
        Assert.Single(many, f => f.Kind == FindingKind.RemovalHeld);
    }

    public static TheoryData<FindingKind> RemovalKinds()
    {
        var kinds = new TheoryData<FindingKind>();
        foreach (var facts in FindingKindFacts.All.Where(f => f.Effect == FindingEffect.Remove))
            kinds.Add(facts.Kind);
        return kinds;
    }
}
