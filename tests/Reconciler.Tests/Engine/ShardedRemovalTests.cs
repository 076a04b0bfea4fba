using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Model;
using Reconciler.Providers;

namespace Reconciler.Tests.Engine;

/// <summary>
/// A prefix set is shared by dependencies that a sharded run splits over its shards (README "Large estates: shards"):
/// each shard proves a removal only for the users it has, and a shard with none proves it for nobody. Generated
/// estates put the set's users on random shards, some of them resolving into the prefix the feed dropped; each shard
/// runs the pipeline on its part, the reports are merged as Merge does (each fingerprint once) and the merged report is
/// held again and planned as <c>--report</c> plans it. No pull request may remove a prefix a user resolves into. The
/// positive control: a prefix no user resolves into is removed. Replay one estate with
/// RECONCILER_SHARDED_SEED=N RECONCILER_SHARDED_CASES=1.
/// </summary>
public sealed class ShardedRemovalTests
{
    private static readonly ProviderKnowledge Snapshot = new(ProviderSnapshot.Default);
    private const string Dropped = "198.18.1.0/24";
    private const string InsideDropped = "198.18.1.7";
    private static readonly string[] TwoShards = ["gamma", "alpha"];

    [Fact]
    public void A_merged_report_removes_a_shared_prefix_only_when_no_user_resolves_into_it()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_SHARDED_SEED"), out var s) ? s : 20261207;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_SHARDED_CASES"), out var c) ? c : 40;
        var (removed, kept) = (0, 0);
        for (var seed = first; seed < first + cases; seed++)
        {
            var random = new Random(seed);
            var dependencies = Enumerable.Range(0, random.Next(2, 6)).Select(i => $"d{i}").ToList();
            var users = dependencies.Where(_ => random.Next(3) > 0).DefaultIfEmpty(dependencies[0]).ToList();
            var inUse = users.Where(_ => random.Next(3) == 0).ToHashSet();
            var shards = random.Next(1, 5);
            var shardOf = dependencies.ToDictionary(d => d, _ => random.Next(shards));
            var policies = Estate(dependencies, users);
            var observations = DriftEngineTests.Observations(dependencies.Select((d, i) => $"{d}.example.test A Answer 140.82.112.{10 + i}{(inUse.Contains(d) ? "," + InsideDropped : "")}"));

            var merged = Enumerable.Range(0, shards)
                .SelectMany(shard => Shard(policies.Only(d => shardOf[d] == shard), observations))
                .DistinctBy(f => f.Fingerprint).ToList();
            var plan = Planner.Plan(policies, RemovalSafety.Hold(policies, merged));

            // What the set holds once every pull request is merged, read from the edited file itself.
            var removes = plan.PullRequests.Any(pr => pr.EditedFiles(policies.Sources).TryGetValue("p.yaml", out var edited)
                && !DriftEngineTests.Parse(edited).FindPrefixSet("gh")!.Prefixes.Any(p => Reconciler.Policies.Validation.Networks.Format(p.Value) == Dropped));
            var why = $"seed {seed}: {shards} shards ({string.Join(", ", shardOf.Select(x => $"{x.Key}@{x.Value}"))}), users {string.Join(", ", users)}, in use by {string.Join(", ", inUse)}";
            if (inUse.Count > 0)
            {
                Assert.False(removes, $"{why}: the plan removes {Dropped}, which {string.Join(", ", inUse)} resolve into");
                kept++;
            }
            else
            {
                Assert.True(removes, $"{why}: no user resolves into {Dropped} and every host was looked up long enough, yet the plan keeps it");
                removed++;
            }
        }
        Assert.True(cases == 1 || (removed > 0 && kept > 0), $"the generator must offer prefixes in use and unused ({kept} and {removed} in {cases} estates)");
    }

    /// <summary>One shard's report: the pipeline over its part of the policies, its hosts' observations and memory.</summary>
    private static IReadOnlyList<Finding> Shard(PolicySet part, ObservationSet observations)
    {
        var hosts = part.Dependencies.SelectMany(d => d.Hosts).Select(h => h.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var seen = observations with { Observations = [.. observations.Observations.Where(o => hosts.Contains(o.Host))] };
        return FindingPipeline.Run(part, Observed.DnsOnly(seen), DriftEngineTests.Daily(seen, days: 6), Snapshot, DriftEngineTests.Now);
    }

    /// <summary>github's API set as the snapshot publishes it, plus <see cref="Dropped"/>, which it does not; every user admits it.</summary>
    private static PolicySet Estate(List<string> dependencies, List<string> users)
    {
        var published = Snapshot.Snapshot.Prefixes.Where(p => p.Provider == "github" && p.Service == "api").Select(p => p.Prefix).Distinct()
            .Select(Reconciler.Policies.Validation.Networks.Format).Select(p => p.Contains(':', StringComparison.Ordinal) ? $"\"{p}\"" : p);
        return DriftEngineTests.Parse($"""
            dependencies:
            {string.Concat(dependencies.Select(d => $"  - name: {d}\n    hosts: [{d}.example.test]\n"))}
            prefix_sets:
              - name: gh
                provider: {"{"} name: github, service: api {"}"}
                prefixes: [{string.Join(", ", published.Append(Dropped))}]
            allowlists:
              - name: egress
                kind: iptables
                rules:
            {string.Concat(users.Select(d => $"      - dependency: {d}\n        prefix_set: gh\n"))}
            settings:
              stale_after: 4d
            """);
    }

    /// <summary>
    /// A report planned again after its prefix set stopped following a provider (a commit between the shards and the
    /// publish job dropped <c>provider:</c>): the removal is refused, not planned, and planning what is left does not throw.
    /// </summary>
    [Fact]
    public void A_removal_from_a_set_that_follows_no_provider_is_refused_and_planning_it_does_not_throw()
    {
        var policies = DriftEngineTests.Parse("""
            dependencies:
              - name: d0
                hosts: [d0.example.test]
            prefix_sets:
              - name: gh
                prefixes: [140.82.112.0/20, 198.18.1.0/24, 198.18.2.0/24, 198.18.3.0/24, 198.18.4.0/24]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: d0
                    prefix_set: gh
            """);
        Finding Range(FindingKind kind, string subject) => new()
        {
            Kind = kind, Severity = Severity.Medium, Dependency = "d0", PrefixSet = "gh", Subject = subject,
            Message = $"{subject} is no longer published for github api." + RemovalSentences.Removes, Action = FindingAction.PullRequest,
            Evidence = [new Evidence(RemovalGate.ProvenFor, "d0")],
        };
        var removal = Range(FindingKind.ProviderRangeRemoved, Dropped);

        // The planner trusts its findings; it must not throw on a set with no provider, whatever they are.
        var planned = Planner.Plan(policies, [removal, Range(FindingKind.ProviderRangeAdded, "198.18.9.0/24")]);
        Assert.Equal("gh: add 1 and remove 1 prefixes (egress)", Assert.Single(planned.PullRequests).Title);

        var held = RemovalSafety.Hold(policies, [removal]);

        var refused = Assert.Single(held);
        Assert.Equal((FindingAction.None, RemovalKept.Unproven), (refused.Action, refused.Kept));
        Assert.EndsWith(RemovalSentences.Unproven, refused.Message, StringComparison.Ordinal);
        Assert.Contains(refused.Evidence, e => e.Detail.Contains("follows no provider", StringComparison.Ordinal));
        Assert.Empty(Planner.Plan(policies, held).PullRequests);
        // The positive control: the same removal from a set that follows a provider goes ahead.
        var following = DriftEngineTests.Parse(policies.Sources["p.yaml"].Replace("  - name: gh\n", "  - name: gh\n    provider: { name: github, service: api }\n", StringComparison.Ordinal));
        Assert.Equal(FindingAction.PullRequest, Assert.Single(RemovalSafety.Hold(following, [removal])).Action);
    }
    /// <summary>
    /// A host moved from one dependency to another that sits on another shard (README "Hosts carry memory"): the first
    /// dependency's shard no longer declares the host, proves the address it gave unused and proposes taking it from
    /// its rule, while the other shard finds that host resolving to it, unadmitted by its new dependency. Unsharded,
    /// the gate refuses that removal (the positive control); merged, the report's own addition inside it refuses it.
    /// </summary>
    [Fact]
    public void A_merged_report_keeps_an_address_a_host_that_moved_to_another_shard_resolves_to()
    {
        var own = Enumerable.Range(1, 8).Select(n => $"192.0.2.{n}").ToList();
        var policies = DriftEngineTests.Parse($"""
            dependencies:
              - name: gamma
                hosts: [gamma.example.test]
              - name: alpha
                hosts: [moved.example.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: gamma
                    destinations: [{string.Join(", ", own)}, 192.0.2.77]
                  - dependency: alpha
                    destinations: [192.0.2.20]
            settings:
              stale_after: 4d
            """);
        var observations = DriftEngineTests.Observations([$"gamma.example.test A Answer {string.Join(",", own)}", "moved.example.test A Answer 192.0.2.20,192.0.2.77"]);
        bool Removes(IReadOnlyList<Finding> findings) => Planner.Plan(policies, findings).PullRequests.Any(pr => pr.Removed.Contains("192.0.2.77"));

        var unsharded = FindingPipeline.Run(policies, Observed.DnsOnly(observations), DriftEngineTests.Daily(observations, days: 6), Snapshot, DriftEngineTests.Now);
        var merged = TwoShards.SelectMany(d => Shard(policies.Only(x => x == d), observations)).DistinctBy(f => f.Fingerprint).ToList();

        Assert.False(Removes(unsharded));
        Assert.Contains(merged, f => f.Kind == FindingKind.StaleIp && f.Subject == "192.0.2.77" && f.Action == FindingAction.PullRequest);
        Assert.False(Removes(RemovalSafety.Hold(policies, merged)), "the merged report removes 192.0.2.77, which moved.example.test (now alpha's) resolves to");
        // The positive control: once nothing resolves to it, the merged report removes it.
        var gone = DriftEngineTests.Observations([$"gamma.example.test A Answer {string.Join(",", own)}", "moved.example.test A Answer 192.0.2.20"]);
        Assert.True(Removes(RemovalSafety.Hold(policies, [.. TwoShards.SelectMany(d => Shard(policies.Only(x => x == d), gone)).DistinctBy(f => f.Fingerprint)])));
    }
}
