using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Providers;

namespace Reconciler.Tests.Engine;

/// <summary>A prefix set loses a prefix its provider stopped publishing only with the removal rule's proof, and within the threshold.</summary>
public sealed class PrefixSetRemovalTests
{
    private static readonly ProviderKnowledge Snapshot = new(ProviderSnapshot.Default);

    /// <summary>github's API set: what the snapshot publishes, plus <paramref name="unpublished"/> it does not.</summary>
    private static Reconciler.Policies.Model.PolicySet Policies(int unpublished, string settings = "")
    {
        var published = Snapshot.Snapshot.Prefixes.Where(p => p.Provider == "github" && p.Service == "api").Select(p => p.Prefix).Distinct()
            .Select(p => Reconciler.Policies.Validation.Networks.Format(p)).Select(p => p.Contains(':', StringComparison.Ordinal) ? $"\"{p}\"" : p);
        var extra = Enumerable.Range(1, unpublished).Select(n => $"198.18.{n}.0/24");
        return DriftEngineTests.Parse($"""
            dependencies:
              - name: github-api
                hosts: [api.example.test]
                track: provider
                provider: {"{"} name: github, service: api {"}"}
            prefix_sets:
              - name: github-api
                provider: {"{"} name: github, service: api {"}"}
                prefixes: [{string.Join(", ", published.Concat(extra))}]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: github-api
                    prefix_set: github-api
            settings:
              stale_after: 4d
            {settings}
            """);
    }

    private static readonly ObservationSet Resolving = DriftEngineTests.Observations(["api.example.test A Answer 140.82.112.6"]);

    private static IReadOnlyList<Finding> Removed(IReadOnlyList<Finding> findings) =>
        [.. findings.Where(f => f.Kind == FindingKind.ProviderRangeRemoved)];

    [Fact]
    public void An_unpublished_prefix_is_kept_until_the_lookups_prove_it_unused()
    {
        var policies = Policies(unpublished: 1);

        var fresh = Removed(DriftEngineTests.Diff(policies, Resolving, DriftMemory.Empty.Remember(Resolving, DriftEngineTests.Now), DriftEngineTests.Now, Snapshot));
        var proven = Removed(DriftEngineTests.Diff(policies, Resolving, DriftEngineTests.Daily(Resolving), DriftEngineTests.Now, Snapshot));

        Assert.Equal(FindingAction.None, Assert.Single(fresh).Action);
        Assert.Contains("not yet proven unused", fresh[0].Message, StringComparison.Ordinal);
        Assert.Equal(("198.18.1.0/24", FindingAction.PullRequest), (Assert.Single(proven).Subject, proven[0].Action));
    }

    [Fact]
    public void A_feed_that_drops_a_large_part_of_a_set_at_once_is_held_back()
    {
        var policies = Policies(unpublished: 40);

        // As a report holds them: past the removal gate, whose proof the held report is checked for (RemovalGate.Recheck).
        var memory = DriftEngineTests.Daily(Resolving);
        var findings = RemovalSafety.Hold(policies, RemovalGate.Apply(policies, Resolving, memory, DriftEngineTests.Now, DriftEngineTests.Diff(policies, Resolving, memory, DriftEngineTests.Now, Snapshot)));

        Assert.All(Removed(findings), f => Assert.Equal(FindingAction.None, f.Action));
        var held = Assert.Single(findings, f => f.Kind == FindingKind.RemovalHeld);
        Assert.Equal(("github-api", null), (held.PrefixSet, held.Allowlist));
        Assert.Contains("of prefix set github-api", held.Message, StringComparison.Ordinal);
    }
}
