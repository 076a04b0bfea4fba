using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Providers;

namespace Reconciler.Tests.Engine;

/// <summary>
/// What the pull requests' edits take away is what the removal gate judged, and no more: read back from the edited
/// policy files themselves, not from the findings' subjects.
/// </summary>
public sealed class RemovalEditTests
{
    private static readonly DateTimeOffset Now = DriftEngineTests.Now;
    private static readonly ProviderKnowledge Snapshot = new(ProviderSnapshot.Default);

    /// <summary>
    /// Generated rules of one dependency, some pinned, sharing destinations (a destination a pinned rule keeps may also
    /// sit in a rule that is not pinned), some of them in use. After every pull request of the plan is applied: each
    /// pinned rule is as it was, and every address in use is still admitted. The positive control: a destination only
    /// unpinned rules hold and nothing uses is removed. Replay one with RECONCILER_PINNED_SEED=N RECONCILER_PINNED_CASES=1.
    /// </summary>
    [Fact]
    public void No_edit_touches_a_pinned_rule_and_no_address_in_use_loses_its_rule()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_PINNED_SEED"), out var s) ? s : 20261207;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_PINNED_CASES"), out var c) ? c : 60;
        var removed = 0;
        for (var seed = first; seed < first + cases; seed++)
        {
            var random = new Random(seed);
            var pool = Enumerable.Range(50, 6).Select(n => $"192.0.2.{n}").ToList();
            var inUse = pool.Where(_ => random.Next(4) == 0).Append("192.0.2.10").ToList();
            var rules = Enumerable.Range(0, random.Next(2, 5)).Select(i => (Pinned: i > 0 && random.Next(3) == 0,
                Destinations: (i == 0 ? ["192.0.2.10"] : new List<string>()).Concat(pool.Where(_ => random.Next(2) == 0)).DefaultIfEmpty(pool[random.Next(pool.Count)]).Distinct().ToList())).ToList();
            var yaml = $"""
                dependencies:
                  - name: d0
                    hosts: [d0.example.test]
                allowlists:
                  - name: egress
                    kind: iptables
                    rules:
                {string.Concat(rules.Select(r => $"      - dependency: d0\n{(r.Pinned ? "        pinned: true\n" : "")}        destinations: [{string.Join(", ", r.Destinations)}]\n"))}
                settings:
                  stale_after: 4d
                  max_removal_share: 100%
                """;
            var policies = DriftEngineTests.Parse(yaml);
            var observations = DriftEngineTests.Observations([$"d0.example.test A Answer {string.Join(",", inUse)}"]);

            var findings = FindingPipeline.Run(policies, Observed.DnsOnly(observations), DriftEngineTests.Daily(observations, days: 6), Snapshot, Now);
            var plan = Planner.Plan(policies, findings);

            var edited = Apply(policies, plan);
            var context = $"seed {seed} (RECONCILER_PINNED_SEED={seed} RECONCILER_PINNED_CASES=1), in use {string.Join(", ", inUse)}\n{yaml}\n{string.Join("\n", plan.PullRequests.Select(p => p.Diff))}";
            var before = policies.FindAllowlist("egress")!.Rules;
            var after = edited.FindAllowlist("egress")!.Rules;
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++)
            {
                if (before[i].Pinned)
                    Assert.True(Destinations(before[i]).SequenceEqual(Destinations(after[i])), $"{context}\nthe pinned rule at {before[i].Location} was edited");
            }
            foreach (var address in inUse)
                Assert.True(after.Any(r => Destinations(r).Contains(address)), $"{context}\n{address} is in use and no rule admits it after the plan");
            removed += before.Sum(r => r.Destinations.Count) - after.Sum(r => r.Destinations.Count);
        }
        Assert.True(cases == 1 || removed > 0, $"the generator must offer removable destinations (none removed in {cases} cases)");
    }

    /// <summary>
    /// A removal that names both an allowlist and a prefix set is judged by the gate for the allowlist's dependency,
    /// but the prefix set's pull request would take it from the set every user shares. A shard (README "Large estates:
    /// shards") has only that dependency: the other user, who resolves into the prefix, is not there to refuse it.
    /// Such a removal is refused whichever way it would be planned; the positive control is the same removal naming
    /// the set alone, refused only because the other user's proof is missing from the merged report.
    /// </summary>
    [Fact]
    public void A_removal_naming_both_an_allowlist_and_a_prefix_set_is_refused()
    {
        var policies = DriftEngineTests.Parse("""
            dependencies:
              - name: d0
                hosts: [d0.example.test]
              - name: d1
                hosts: [d1.example.test]
            prefix_sets:
              - name: gh
                provider: { name: github, service: api }
                prefixes: [140.82.112.0/20, 143.55.64.0/20, 185.199.108.0/22, 192.30.252.0/22, 198.18.1.0/24]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: d0
                    prefix_set: gh
                  - dependency: d0
                    destinations: [192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5, 192.0.2.6, 192.0.2.7, 192.0.2.8]
                  - dependency: d1
                    prefix_set: gh
            settings:
              stale_after: 4d
            """);
        var shard = policies.Only(d => d == "d0");
        // d0 uses all its own destinations, so that the one removal is far under the threshold.
        var observations = DriftEngineTests.Observations(["d0.example.test A Answer 140.82.112.10,192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5,192.0.2.6,192.0.2.7,192.0.2.8"]);
        Finding Injected(string? allowlist) => new()
        {
            Kind = FindingKind.ProviderRangeRemoved, Severity = Severity.Low, Dependency = "d0", Allowlist = allowlist, PrefixSet = "gh",
            Subject = "198.18.1.0/24", Message = "injected.", Action = FindingAction.PullRequest,
        };

        IReadOnlyList<Finding> Run(Finding injected) =>
            RemovalSafety.Hold(policies, FindingPipeline.Run(shard, new Observed(observations, new ObserverResult([injected], [])), DriftEngineTests.Daily(observations, days: 6), Snapshot, Now));

        var both = Assert.Single(Run(Injected("egress")), f => f.Message.StartsWith("injected.", StringComparison.Ordinal));
        Assert.Equal((FindingAction.None, RemovalKept.Unproven), (both.Action, both.Kept));
        Assert.Empty(Planner.Plan(policies, [both]).PullRequests);
        // The positive control: the shard's own proof carries the set's removal for d0, and only the merged recheck refuses it, for d1.
        var gated = Assert.Single(FindingPipeline.Run(shard, new Observed(observations, new ObserverResult([Injected(null)], [])), DriftEngineTests.Daily(observations, days: 6), Snapshot, Now),
            f => f.Message.StartsWith("injected.", StringComparison.Ordinal));
        Assert.Equal(FindingAction.PullRequest, gated.Action);
        var setOnly = Assert.Single(RemovalSafety.Hold(policies, [gated]));
        Assert.Equal(FindingAction.None, setOnly.Action);
        Assert.Contains(setOnly.Evidence, e => e.Detail.Contains("no proof in the report covers d1", StringComparison.Ordinal));
    }

    /// <summary>Every pull request's edits at once, as merging them all would leave the files (they touch different rules).</summary>
    private static PolicySet Apply(PolicySet policies, ChangePlan plan)
    {
        var edits = plan.PullRequests.SelectMany(p => p.Edits).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToList());
        var text = policies.Sources["p.yaml"];
        return DriftEngineTests.Parse(edits.TryGetValue("p.yaml", out var e) ? Reconciler.Yaml.YamlTextEdits.Apply(text, e) : text);
    }

    private static List<string> Destinations(AllowlistRule rule) => [.. rule.Destinations.Select(d => Networks.Format(d.Value))];
}
