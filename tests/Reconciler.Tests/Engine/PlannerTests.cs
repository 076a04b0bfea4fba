using Reconciler.Findings;
using Reconciler.Planning;

namespace Reconciler.Tests.Engine;

public sealed class PlannerTests
{
    private sealed record Planned(Reconciler.Policies.Model.PolicySet Policies, ChangePlan Plan)
    {
        public IReadOnlyList<PlannedPullRequest> PullRequests => Plan.PullRequests;
        public IReadOnlyList<PlannedIssue> Issues => Plan.Issues;
    }

    private static Planned PlanFor(string yaml, params string[] observed)
    {
        var policies = DriftEngineTests.Parse(yaml);
        var observations = DriftEngineTests.Observations(observed);
        var memory = DriftEngineTests.Daily(observations);
        return new Planned(policies, Planner.Plan(policies, DriftEngineTests.Diff(policies, observations, memory, DriftEngineTests.Now)));
    }

    private static string After(Planned planned) => planned.PullRequests.Single().EditedFiles(planned.Policies.Sources)["p.yaml"];

    [Fact]
    public void A_flow_list_gains_the_new_addresses_and_nothing_else_changes()
    {
        const string yaml = "# comment stays\ndependencies:\n  - name: api\n    hosts: [api.example.test]\nallowlists:\n  - name: egress   # why\n    kind: iptables\n    rules:\n      - dependency: api\n        destinations: [\"192.0.2.1\", 192.0.2.2]  # quoted stays quoted\n        reason: T1\n";

        var plan = PlanFor(yaml, "api.example.test A Answer 192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4");

        var pr = plan.PullRequests.Single();
        Assert.Null(pr.Failure);
        Assert.Equal(yaml.Replace("192.0.2.2]", "192.0.2.2, 192.0.2.3, 192.0.2.4]", StringComparison.Ordinal), After(plan));
        Assert.Equal(("reconciler/egress/api", "egress: admit 2 new addresses of api"), (pr.Branch, pr.Title));
        Assert.Equal(
            "--- a/p.yaml\n+++ b/p.yaml\n@@ -7,5 +7,5 @@\n     kind: iptables\n     rules:\n       - dependency: api\n-        destinations: [\"192.0.2.1\", 192.0.2.2]  # quoted stays quoted\n+        destinations: [\"192.0.2.1\", 192.0.2.2, 192.0.2.3, 192.0.2.4]  # quoted stays quoted\n         reason: T1\n",
            pr.Diff);
    }

    [Fact]
    public void A_block_list_gains_lines_at_its_indentation_and_keeps_crlf()
    {
        const string yaml = "dependencies:\r\n  - name: api\r\n    hosts: [api.example.test]\r\nallowlists:\r\n  - name: egress\r\n    kind: iptables\r\n    rules:\r\n      - dependency: api\r\n        destinations:\r\n          - 192.0.2.1   # first\r\n\r\n          - 192.0.2.2\r\n        reason: T1\r\n";

        var after = After(PlanFor(yaml, "api.example.test A Answer 192.0.2.1,192.0.2.2,192.0.2.3"));

        Assert.Equal(yaml.Replace("- 192.0.2.2\r\n", "- 192.0.2.2\r\n          - 192.0.2.3\r\n", StringComparison.Ordinal), after);
    }

    [Fact]
    public void Anchors_and_aliases_stay_as_written_and_only_the_list_line_changes()
    {
        const string yaml = "dependencies:\n  - name: api\n    hosts: [api.example.test]\n    ports: &https [443]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: api\n        ports: *https     # the alias stays an alias\n        destinations: [192.0.2.1]\n        reason: 'T1'\n";

        var plan = PlanFor(yaml, "api.example.test A Answer 192.0.2.1,192.0.2.7");

        Assert.Equal(yaml.Replace("[192.0.2.1]", "[192.0.2.1, 192.0.2.7]", StringComparison.Ordinal), After(plan));
        var changed = plan.PullRequests.Single().Diff.Split('\n').Where(l => l.StartsWith('+') || l.StartsWith('-')).ToList();
        Assert.Equal(["--- a/p.yaml", "+++ b/p.yaml", "-        destinations: [192.0.2.1]", "+        destinations: [192.0.2.1, 192.0.2.7]"], changed);
    }

    [Fact]
    public void Stale_addresses_leave_and_new_ones_arrive_in_the_same_edit()
    {
        const string yaml = "dependencies:\n  - name: api\n    hosts: [api.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: api\n        destinations: [192.0.2.1, 192.0.2.9]\n      - dependency: api\n        destinations:\n          - 192.0.2.8\n          - 192.0.2.1\n";

        var plan = PlanFor(yaml, "api.example.test A Answer 192.0.2.1,192.0.2.5");

        var pr = plan.PullRequests.Single();
        Assert.Equal(["192.0.2.5"], pr.Added);
        Assert.Equal(["192.0.2.8", "192.0.2.9"], pr.Removed);
        Assert.Equal("dependencies:\n  - name: api\n    hosts: [api.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: api\n        destinations: [192.0.2.1, 192.0.2.5]\n      - dependency: api\n        destinations:\n          - 192.0.2.1\n", After(plan));
    }

    [Fact]
    public void A_rule_without_destinations_gets_the_key_and_pinned_rules_are_left_alone()
    {
        const string yaml = "dependencies:\n  - name: api\n    hosts: [api.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: api\n        pinned: true\n        destinations: [192.0.2.1]\n      - dependency: api\n        reason: T1\n";

        var after = After(PlanFor(yaml, "api.example.test A Answer 192.0.2.7"));

        Assert.Equal(yaml + "        destinations: [192.0.2.7]\n", after + "\n"[..(after.EndsWith('\n') ? 0 : 1)]);
    }

    [Fact]
    public void An_edit_that_would_not_validate_is_not_proposed()
    {
        var policies = DriftEngineTests.Parse(DriftEngineTests.Policy);
        var bogus = new Finding
        {
            Kind = FindingKind.MissingIp, Severity = Severity.High, Dependency = "api", Allowlist = "egress",
            Subject = "not-an-address", Message = "x", Action = FindingAction.PullRequest,
        };

        var pr = Planner.Plan(policies, [bogus]).PullRequests.Single();

        Assert.Equal("the edited policies do not validate: p.yaml:12:63: 'not-an-address' is not an IP address or CIDR network", pr.Failure);
        Assert.Equal("", pr.Diff);
        Assert.Empty(pr.Edits);
    }

    [Fact]
    public void Issues_carry_a_hidden_fingerprint_marker_and_labels()
    {
        var plan = PlanFor(DriftEngineTests.Policy, "api.example.test A NxDomain");

        var issue = plan.Issues.Single();
        Assert.Equal("api: api.example.test does not resolve", issue.Title);
        Assert.Contains($"<!-- reconciler:fingerprint={issue.Finding.Fingerprint} -->", issue.Body, StringComparison.Ordinal);
        Assert.Equal(["reconciler", "resolution-failed", "severity:high"], issue.Labels);
    }
}
