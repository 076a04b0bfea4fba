using Reconciler.Planning;
using Reconciler.Engine;
using Reconciler.Providers;

namespace Reconciler.Tests.Engine;

/// <summary>
/// Where the parts of a pull request's body go: the timeline of addresses seen just before the hidden marker, advice
/// after it, and both kept when the edit does not validate and the body says so instead of proposing it.
/// </summary>
public sealed class PullRequestBodyTests
{
    // api rotates inside one AWS service and region (advice to track the provider), and egress misses one of its addresses.
    private const string Policy = "dependencies:\n  - name: api\n    hosts: [api.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: api\n        destinations: [3.2.58.1, 3.2.58.2, 3.2.58.3]\n";

    private static (PlannedPullRequest Pr, string Advice) Plan(bool broken)
    {
        var policies = DriftEngineTests.Parse(Policy);
        var observations = DriftEngineTests.Observations(["api.example.test A Answer 3.2.58.1,3.2.58.2,3.2.58.3,3.2.58.4"]);
        var memory = DriftEngineTests.Daily(observations, days: 3);
        var findings = DriftEngineTests.Diff(policies, observations, memory, DriftEngineTests.Now).ToList();
        if (broken)
            findings.Add(findings[0] with { Subject = "not-an-address" });
        var suggestions = ProviderDrift.Suggestions(policies, memory, new ProviderKnowledge(ProviderSnapshot.Default), DriftEngineTests.Now);
        var pr = Planner.Plan(policies, findings, suggestions, memory, DriftEngineTests.Now).PullRequests.Single();
        return (pr, suggestions["api"]);
    }

    private const string Marker = "<!-- reconciler:pull-request allowlist=egress dependency=api -->\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_timeline_precedes_the_marker_and_the_advice_follows_it(bool broken)
    {
        var (pr, advice) = Plan(broken);

        Assert.Equal(broken, pr.Failure is not null);
        Assert.Equal(broken, pr.Body.Contains("> **Not proposed:** the edited policies do not validate", StringComparison.Ordinal));
        Assert.EndsWith("```\n\n" + Marker + "\n> **Suggestion:** " + advice + "\n", pr.Body, StringComparison.Ordinal);
        Assert.Contains($"Added: {(broken ? 2 : 1)}, removed: 0.\n\nAddresses seen (first and last seen):\n\n```mermaid\ngantt\n    title Addresses seen for api\n", pr.Body, StringComparison.Ordinal);
        Assert.Equal(2, pr.Body.Split(Marker).Length);   // one marker
    }

    [Fact]
    public void A_pull_request_that_is_not_proposed_has_neither_diff_nor_edits_but_one_that_is_has_both()
    {
        var (proposed, _) = Plan(broken: false);
        var (refused, _) = Plan(broken: true);

        Assert.StartsWith("--- a/p.yaml\n+++ b/p.yaml\n@@ -6,4 +6,4 @@\n", proposed.Diff, StringComparison.Ordinal);
        Assert.Contains("+        destinations: [3.2.58.1, 3.2.58.2, 3.2.58.3, 3.2.58.4]\n", proposed.Diff, StringComparison.Ordinal);
        Assert.Single(proposed.Edits);
        Assert.Equal(("", 0), (refused.Diff, refused.Edits.Count));
    }
}
