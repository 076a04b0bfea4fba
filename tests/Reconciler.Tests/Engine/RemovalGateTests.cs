using System.Text;
using Reconciler.Dns.Resolution;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Model;
using Reconciler.Providers;

namespace Reconciler.Tests.Engine;

/// <summary>
/// The removal gate judges every removal a pull request would make, whichever rule proposed it. Removals that no rule
/// proved are injected into the pipeline as another stage's findings (as a new removal rule that forgot the proof
/// would make them), from allowlists and prefix sets alike, in generated worlds where the dependency's own host or a
/// host of another dependency saw an address inside this run or lately, a host failed, or a rotating pool may still
/// serve it unseen: none may reach a pull request. The positive control: the injected removals of destinations that
/// nothing ever resolved into, with every host looked up long enough, do reach one. Replay one case with
/// RECONCILER_REMOVAL_SEED=N RECONCILER_REMOVAL_CASES=1.
/// </summary>
public sealed class RemovalGateTests
{
    private static readonly DateTimeOffset Now = DriftEngineTests.Now;
    private const string Server = "127.0.0.1:53";
    private const string Injected = "injected removal ";

    private enum Fate { Proven, OwnNow, OwnLately, OtherNow, OtherLately }

    private sealed record Candidate(int Id, string Subject, string Inside, string? Allowlist, string Dependency, string? Set, Fate Fate);

    [Fact]
    public void No_unproven_removal_reaches_a_pull_request_and_every_proven_one_does()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_REMOVAL_SEED"), out var s) ? s : 20261207;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_REMOVAL_CASES"), out var c) ? c : 150;
        var (proven, refused) = (0, 0);
        for (var seed = first; seed < first + cases; seed++)
        {
            var (p, r) = RunCase(seed);
            proven += p;
            refused += r;
        }
        Assert.True(proven > 0 && refused > 0, $"the generator must offer both proven and unproven removals ({proven} proven, {refused} refused in {cases} cases)");
    }

    private static (int Proven, int Refused) RunCase(int seed)
    {
        var random = new Random(seed);
        var dependencies = Enumerable.Range(0, random.Next(2, 5)).Select(i => $"d{i}").ToList();
        var failing = dependencies.Where(_ => random.Next(6) == 0).ToHashSet();
        var rotating = random.Next(5) == 0;
        var setUsers = dependencies.Where(_ => random.Next(2) == 0).ToList();
        var candidates = new List<Candidate>();
        for (var (id, count) = (0, random.Next(2, 12)); id < count; id++)
        {
            // Disjoint /28 blocks of documentation space, one a candidate (a /28 or one address in it): no live address lies in any of them.
            var block = id * 16;
            var single = random.Next(3) == 0;
            var subject = single ? $"198.51.100.{block + 5}" : $"198.51.100.{block}/28";
            var inside = single ? subject : $"198.51.100.{block + 1 + random.Next(14)}";
            // Half are the positive control: nothing ever resolved into them.
            var fate = random.Next(2) == 0 ? Fate.Proven : (Fate)random.Next(1, 5);
            var inSet = setUsers.Count > 0 && random.Next(3) == 0;
            // A set's finding names its first user, as the prefix-set rule's do (the threshold counts per dependency).
            var owner = inSet ? setUsers[0] : dependencies[random.Next(dependencies.Count)];
            candidates.Add(new Candidate(id, subject, inside, inSet ? null : "egress", owner, inSet ? "shared" : null, fate));
        }

        var yaml = new StringBuilder("dependencies:\n");
        foreach (var d in dependencies)
            yaml.Append($"  - name: {d}\n    hosts: [{d}.example.test]\n");
        yaml.Append("  - name: pool\n    hosts: [pool.example.test]\n");
        // The set follows a feed, as every set a pull request edits does; what the feed publishes comes in as additions.
        yaml.Append("prefix_sets:\n  - name: shared\n    provider: { name: github, service: api }\n    prefixes: [192.0.2.64/26")
            .Append(string.Concat(candidates.Where(x => x.Set is not null).Select(x => ", " + x.Subject))).Append("]\n");
        yaml.Append("allowlists:\n  - name: egress\n    kind: iptables\n    rules:\n");
        foreach (var (d, i) in dependencies.Select((d, i) => (d, i)))
        {
            yaml.Append($"      - dependency: {d}\n        destinations: [{Live(i)}")
                .Append(string.Concat(candidates.Where(x => x.Allowlist is not null && x.Dependency == d).Select(x => ", " + x.Subject))).Append("]\n");
            if (setUsers.Contains(d))
                yaml.Append($"      - dependency: {d}\n        prefix_set: shared\n");
        }
        yaml.Append("settings:\n  stale_after: 4d\n  max_removal_share: 100%\n  max_new_addresses: 1000\n");
        var policies = DriftEngineTests.Parse(yaml.ToString());

        // Five days of daily runs before this one: long enough to prove what nothing resolved into.
        var runs = Enumerable.Range(1, 6).Reverse().Select(day => Run(dependencies, candidates, rotating, random, failing: [], day)).ToList();
        var thisRun = Run(dependencies, candidates, rotating, random, failing, day: 0);
        runs.Add(thisRun);
        var memory = runs.Aggregate(DriftMemory.Empty, (m, run) => m.Remember(run, run.At));
        // A host that gave more addresses over the runs than in any one answer may be a pool serving more, unseen
        // (README "Rotating pools"): seven runs are far too few to prove anything against it.
        var anyRotates = runs.SelectMany(r => r.Observations).Where(o => o.Succeeded).GroupBy(o => o.Host)
            .Any(h => h.SelectMany(o => o.Addresses.Select(a => a.Address)).Distinct().Count() > h.Max(o => o.Addresses.Count));

        var injected = candidates.Select(x => new Finding
        {
            Kind = random.Next(2) == 0 ? FindingKind.StaleIp : FindingKind.ProviderRangeRemoved,
            Severity = Severity.Low,
            Dependency = x.Dependency,
            Allowlist = x.Allowlist,
            PrefixSet = x.Set,
            Subject = x.Subject,
            Message = Injected + x.Id + ".",
            Action = FindingAction.PullRequest,
        }).ToList();
        var findings = FindingPipeline.Run(policies, new Observed(thisRun, new ObserverResult(injected, [])), memory, new ProviderKnowledge(ProviderSnapshot.Default), Now);
        var plan = Planner.Plan(policies, findings);

        var context = $"seed {seed} (replay: RECONCILER_REMOVAL_SEED={seed} RECONCILER_REMOVAL_CASES=1); failing [{string.Join(", ", failing)}], rotating pool {rotating}, any host rotates {anyRotates}\n{yaml}\n"
            + string.Join("\n", candidates) + "\n" + string.Join("\n", findings.Select(f => $"{f.Kind} {f.Action} {f.Dependency} {f.Allowlist ?? f.PrefixSet} {f.Subject}: {f.Message}"));
        var (proven, refused) = (0, 0);
        foreach (var x in candidates)
        {
            // A host that failed this run gave nothing inside: its "now" is no sighting (it freezes only its own dependency).
            var seenInside = x.Fate is Fate.OwnLately or Fate.OtherLately or Fate.OwnNow || x.Fate == Fate.OtherNow && !failing.Contains(Other(dependencies, x));
            var expectProven = !seenInside && !anyRotates && (x.Set is null ? !failing.Contains(x.Dependency) : !setUsers.Any(failing.Contains));
            var finding = Assert.Single(findings, f => f.Message.StartsWith(Injected + x.Id + ".", StringComparison.Ordinal));
            var removedBy = plan.PullRequests.Where(p => p.Removed.Contains(x.Subject)).ToList();
            if (expectProven)
            {
                proven++;
                Assert.True(finding.Action == FindingAction.PullRequest && finding.Message.EndsWith(RemovalSentences.Removes, StringComparison.Ordinal), $"{context}\n{x} should be removed: {finding.Action} {finding.Message} {string.Join("; ", finding.Evidence.Select(e => e.Detail))}");
                Assert.True(removedBy.Any(p => p.Dependency == (x.Set ?? x.Dependency) && p.Failure is null), $"{context}\n{x} is in no pull request");
            }
            else
            {
                refused++;
                Assert.True(removedBy.Count == 0, $"{context}\n{x} is not proven unused, yet {string.Join(", ", removedBy.Select(p => p.Title))} removes it");
                Assert.True(finding is { Action: FindingAction.None, Kept: RemovalKept.Unproven } && finding.Message.EndsWith(RemovalSentences.Unproven, StringComparison.Ordinal)
                    && finding.Evidence.Any(e => e.Source == "removal proof"), $"{context}\n{x}: {finding.Action} {finding.Kept} {finding.Message}");
            }
        }
        return (proven, refused);
    }

    [Fact]
    public void A_host_of_another_dependency_resolving_inside_keeps_a_provider_prefix_and_a_set_prefix_and_only_proven_removals_say_the_plan_removes_them()
    {
        var published = ProviderSnapshot.Default.Prefixes.Where(p => p is { Provider: "github", Service: "api" }).Select(p => Reconciler.Policies.Validation.Networks.Format(p.Prefix)).Distinct();
        var policies = DriftEngineTests.Parse($$"""
            dependencies:
              - name: moved
                hosts: [moved.example.test]
              - name: s3
                hosts: [s3.example.test]
                track: provider
                provider: { name: aws, service: S3, region: us-east-1 }
              - name: gh
                hosts: [gh.example.test]
                track: provider
                provider: { name: github, service: api }
            prefix_sets:
              - name: gh-api
                provider: { name: github, service: api }
                prefixes: [{{string.Join(", ", published.Select(p => $"\"{p}\""))}}, 203.0.113.0/25, 203.0.113.128/25]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: moved
                    destinations: [198.51.100.7, 203.0.113.7]
                  - dependency: s3
                    destinations: [1.178.4.0/24, 198.51.100.0/24, 192.0.2.128/25]
                  - dependency: gh
                    prefix_set: gh-api
            settings:
              stale_after: 4d
              max_removal_share: 90%
            """);
        var observations = DriftEngineTests.Observations(["moved.example.test A Answer 198.51.100.7,203.0.113.7", "s3.example.test A Answer 1.178.4.10", "gh.example.test A Answer 140.82.112.6"]);

        var findings = FindingPipeline.Run(policies, Observed.DnsOnly(observations), DriftEngineTests.Daily(observations, days: 6), new ProviderKnowledge(ProviderSnapshot.Default), Now);

        var removals = findings.Where(f => f.Kind == FindingKind.ProviderRangeRemoved).ToList();
        Assert.Equal(["egress 192.0.2.128/25", "gh-api 203.0.113.128/25"], removals.Where(f => f.Action == FindingAction.PullRequest).Select(f => $"{f.Allowlist ?? f.PrefixSet} {f.Subject}").Order(StringComparer.Ordinal));
        // moved.example.test resolved into both this run: the provider rule's prefix goes unproposed, as a stale-ip would; the set's says why it is kept.
        Assert.DoesNotContain(removals, f => f.Subject == "198.51.100.0/24");
        var kept = Assert.Single(removals, f => f.Subject == "203.0.113.0/25");
        Assert.Equal(FindingAction.None, kept.Action);
        Assert.Contains("moved.example.test resolved into it in this run", kept.Message, StringComparison.Ordinal);
        Assert.All(removals, f => Assert.Equal(f.Action == FindingAction.PullRequest, f.Message.EndsWith(RemovalSentences.Removes, StringComparison.Ordinal)));
        Assert.All(findings, f => Assert.DoesNotContain(RemovalSentences.Removes + RemovalSentences.Removes.TrimStart(), f.Message, StringComparison.Ordinal));

        // A report read back (the merged report of shards) and held by a stricter threshold says it was held, once.
        var held = RemovalSafety.Hold(policies with { Settings = policies.Settings with { MaxRemovalShare = 0 } }, findings);
        Assert.All(held.Where(f => f.Kind == FindingKind.ProviderRangeRemoved && f.Kept == RemovalKept.Held),
            f => Assert.True(f.Message.EndsWith(RemovalSentences.Held, StringComparison.Ordinal) && !f.Message.Contains(RemovalSentences.Removes, StringComparison.Ordinal), f.Message));
        Assert.Equal(2, held.Count(f => f.Kept == RemovalKept.Held));
    }

    private static string Live(int dependency) => $"192.0.2.{10 + dependency}";

    /// <summary>The dependency whose host sees inside a candidate of another's.</summary>
    private static string Other(List<string> dependencies, Candidate candidate) => dependencies[(dependencies.IndexOf(candidate.Dependency) + 1) % dependencies.Count];

    /// <summary>One run's answers, <paramref name="day"/> days before now: each host its live address, and what the candidates' fates add.</summary>
    private static ObservationSet Run(List<string> dependencies, List<Candidate> candidates, bool rotating, Random random, HashSet<string> failing, int day)
    {
        var at = Now.AddDays(-day);
        var observations = new List<Observation>();
        foreach (var (d, i) in dependencies.Select((d, i) => (d, i)))
        {
            var host = $"{d}.example.test";
            if (failing.Contains(d))
            {
                observations.Add(new Observation(host, "A", Server, DnsOutcome.ServFail, [], [], at, 1));
                continue;
            }
            var addresses = new List<string> { Live(i) };
            foreach (var x in candidates)
            {
                var other = Other(dependencies, x);
                var now = day == 0;
                if ((x.Fate == Fate.OwnNow && now || x.Fate == Fate.OwnLately && day == 1) && x.Dependency == d
                    || (x.Fate == Fate.OtherNow && now || x.Fate == Fate.OtherLately && day == 1) && other == d)
                    addresses.Add(x.Inside);
            }
            observations.Add(new Observation(host, "A", Server, DnsOutcome.Answer, [], [.. addresses.Distinct().Select(a => new ObservedAddress(a, 60))], at, 1));
        }
        // A pool that rotates one address a run from many: it has not answered often enough to show all it serves.
        var pool = rotating ? $"192.0.2.{128 + random.Next(100)}" : "192.0.2.200";
        observations.Add(new Observation("pool.example.test", "A", Server, DnsOutcome.Answer, [], [new ObservedAddress(pool, 60)], at, 1));
        return new ObservationSet(at, [Server], observations);
    }
}
