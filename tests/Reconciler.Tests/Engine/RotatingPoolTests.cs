using System.Collections.Concurrent;
using System.Net;
using Reconciler.Dns.Resolution;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;

namespace Reconciler.Tests.Engine;

/// <summary>
/// Rotating pools against the truth, not against a restatement of the rule: a host r.pool.test draws k of a pool of
/// 2–64 addresses per answer (TTL 0 or 300), the pool may move to another, the host may move from dependency app to
/// a new app-r (whose rule it has none of), one run may come from a clock 15 years ahead; s.pool.test stays in app
/// and always gives 203.0.113.200. Invariant: no address the pools serve at a run is proposed for removal at that run.
/// Positive control: a pool that moved is proposed, at the latest once stale_after and a gap of unbroken proof have passed and
/// r has given 2·ln(10⁶)·(p + 1)/k answers since the move (p: addresses it ever gave; README "Rotating pools").
/// Replay one with RECONCILER_REMOVAL_SEED=N RECONCILER_ROTATING_SCHEDULES=1; the failure prints the schedule.
/// </summary>
public sealed class RotatingPoolTests
{
    private static readonly TimeSpan[] StaleAfters = [TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(4), TimeSpan.FromDays(7)];
    private static readonly string[] Servers = ["127.0.0.1:53", "127.0.0.2:53"];
    private const string Rotating = "r.pool.test";
    private const string Steady = "s.pool.test";
    private const string SteadyAddress = "203.0.113.200";

    private static string Old(int n) => $"192.0.2.{n}";

    private static string New(int n) => $"198.51.100.{n}";

    private sealed record World(int OldSize, int NewSize, int K, int Samples, uint Ttl, TimeSpan StaleAfter, int Runs, int HostMoveAt, int? JumpAt, int? PoolMoveAt)
    {
        public override string ToString() =>
            $"pool {OldSize}{(PoolMoveAt is { } p ? $" moving at run {p} to {NewSize}" : "")}, answers of {K}, {Samples} samples (64 once it rotates), TTL {Ttl}, stale_after {StaleAfter.TotalDays}d, {Runs} runs"
            + $"{(HostMoveAt < Runs ? $", r moves to app-r at run {HostMoveAt}" : "")}{(JumpAt is { } j ? $", run {j} from 15 years ahead" : "")}";
    }

    private static string Policy(World world, bool moved) => $"""
        dependencies:
          - name: app
            hosts: [{Steady}{(moved ? "" : ", " + Rotating)}]
        {(moved ? $"  - name: app-r\n    hosts: [{Rotating}]\n" : "")}allowlists:
          - name: egress
            kind: iptables
            rules:
              - dependency: app
                destinations: [{string.Join(", ", Enumerable.Range(1, world.OldSize).Select(Old).Concat(Enumerable.Range(1, world.NewSize).Select(New)))}, {SteadyAddress}, 203.0.113.0/28]
        settings:
          stale_after: {(int)world.StaleAfter.TotalHours}h
        """;

    private static World Generate(int seed)
    {
        var random = new Random(seed);
        var runs = random.Next(15, 31);
        var poolMoves = random.Next(2) == 0;
        return new World(
            random.Next(2, 65), random.Next(2, 65), random.Next(1, 9), random.Next(1, 17), poolMoves || random.Next(2) == 0 ? 0u : 300u,
            StaleAfters[random.Next(StaleAfters.Length)], runs,
            random.Next(2) == 0 ? random.Next(runs) : int.MaxValue,
            random.Next(3) == 0 ? random.Next(1, runs) : null,
            poolMoves ? random.Next(runs / 2, runs) : null);
    }

    [Fact]
    public void Generated_rotating_pools_never_lose_a_served_address_and_do_lose_a_moved_pool()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_REMOVAL_SEED"), out var s) ? s : 20261207;
        var count = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_ROTATING_SCHEDULES"), out var c) ? c : 400;
        var moved = 0;
        var failures = new ConcurrentQueue<string>();
        Parallel.For(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, seed =>
        {
            var world = Generate(seed);
            var failure = Play(seed, world);
            if (failure is not null)
                failures.Enqueue($"seed {seed}: {failure}\n{world}");
            else if (world.PoolMoveAt is not null)
                Interlocked.Increment(ref moved);
        });
        Assert.True(failures.IsEmpty, $"{failures.Count} of {count} schedules failed; the first:\n{failures.FirstOrDefault()}");
        Assert.True(count < 100 || moved > count / 5, $"only {moved} of {count} schedules moved their pool and proved it: the generator no longer tests removals");
    }

    /// <summary>Plays one world; why it failed, or null.</summary>
    private static string? Play(int seed, World world)
    {
        var random = new Random(seed ^ 0x5bd1e995);
        var before = DriftEngineTests.Parse(Policy(world, moved: false));
        var after = DriftEngineTests.Parse(Policy(world, moved: true));
        var gap = ProvenSpan.LongestGap(world.StaleAfter);
        var oldPool = Enumerable.Range(1, world.OldSize).Select(Old).ToArray();
        var newPool = Enumerable.Range(1, world.NewSize).Select(New).ToArray();
        var memory = DriftMemory.Empty;
        var at = RemovalSchedule.Start;
        var given = new HashSet<string>(StringComparer.Ordinal);
        var smallest = int.MaxValue;
        var answersSinceMove = 0;
        DateTimeOffset? movedAt = null;
        DateTimeOffset? phaseStart = null;
        for (var run = 0; ; run++)
        {
            var proofPhase = run >= world.Runs;
            if (proofPhase && world.PoolMoveAt is null)
                return null;
            var pool = world.PoolMoveAt is { } p && run >= p ? newPool : oldPool;
            if (pool == newPool && movedAt is null)
                movedAt = at;
            // Sightings from the future run are clipped to the next run: the old pool counts as seen then, so the bound starts there.
            if (world.JumpAt is { } jumped && run == jumped + 1 && movedAt is not null)
                (movedAt, answersSinceMove) = (at, 0);
            var clock = world.JumpAt == run ? at.AddYears(15) : at;
            var samples = memory.Find(Rotating)?.Rotates() == true ? Math.Max(64, world.Samples) : world.Samples;
            var outcome = proofPhase ? 0 : random.Next(100);
            var observations = new List<Observation>();
            for (var sample = 0; sample < samples; sample++)
            {
                foreach (var (server, index) in Servers.Select((x, i) => (x, i)))
                {
                    var answer = Draw(random, pool, world.K); // each server's answer is a draw of its own, as the model assumes
                    var said = outcome switch
                    {
                        < 85 => DnsOutcome.Answer,
                        < 90 => index == 0 ? DnsOutcome.ServFail : DnsOutcome.Answer,
                        < 95 => DnsOutcome.NxDomain,
                        _ => DnsOutcome.Timeout,
                    };
                    observations.Add(new Observation(Rotating, "A", server, said, [], said == DnsOutcome.Answer ? [.. answer.Select(a => new ObservedAddress(a, world.Ttl))] : [], clock, 1));
                    if (said == DnsOutcome.Answer)
                    {
                        given.UnionWith(answer);
                        smallest = Math.Min(smallest, answer.Length);
                        if (movedAt is not null && (world.Ttl == 0 || sample == 0))
                            answersSinceMove++;
                    }
                }
            }
            foreach (var server in Servers)
                observations.Add(new Observation(Steady, "A", server, DnsOutcome.Answer, [], [new ObservedAddress(SteadyAddress, 300)], clock, 1));
            var set = new ObservationSet(clock, Servers, observations);
            memory = memory.Remember(set, clock, world.StaleAfter);
            var policies = run >= world.HostMoveAt ? after : before;
            var proposed = DriftEngineTests.Diff(policies, set, memory, clock).Where(f => f.Kind == FindingKind.StaleIp).ToList();

            var served = pool.Append(SteadyAddress).Select(IPAddress.Parse).ToList();
            foreach (var finding in proposed)
            {
                var destination = IPNetwork.Parse(finding.Subject.Contains('/', StringComparison.Ordinal) ? finding.Subject : finding.Subject + "/32");
                if (served.Any(destination.Contains))
                    return $"run {run} ({clock:yyyy-MM-dd HH:mm}) proposed removing {finding.Subject}, which the pool still serves ({finding.Evidence[0].Detail})";
            }

            if (proofPhase)
            {
                var bound = RemovalRuleTests.Bound(given.Count, smallest);
                // Time counts from the move, or from the proof phase when failures before it cut the spans.
                phaseStart ??= at;
                var from = movedAt!.Value > phaseStart.Value ? movedAt.Value : phaseStart.Value;
                if (at - from < world.StaleAfter + gap || answersSinceMove < bound)
                {
                    if (run > world.Runs + 2_000)
                        return "the proof phase never reached its bound";
                }
                else
                {
                    var left = oldPool.Where(given.Contains).Where(a => !proposed.Any(f => IPNetwork.Parse(f.Subject.Contains('/', StringComparison.Ordinal) ? f.Subject : f.Subject + "/32").Contains(IPAddress.Parse(a)))).ToList();
                    return left.Count == 0 ? null
                        : $"the pool moved {(at - movedAt.Value).TotalDays:0.#}d and {answersSinceMove} answers ago (bound {bound}), yet {left.Count} of its old addresses are not proposed, e.g. {left[0]}: "
                          + (proposed.Count == 0 ? "nothing proposed" : string.Join("; ", proposed.Take(3).Select(f => f.Subject + ": " + f.Evidence[0].Detail)))
                          + "\nwhy not: " + Why(policies, set, memory, clock, left[0]);
                }
            }
            at += proofPhase ? gap / 2 : TimeSpan.FromTicks((long)(gap.Ticks * (random.Next(20) == 0 ? 1 + random.NextDouble() * 4 : 0.25 + random.NextDouble() * 0.75)));
        }
    }

    private static string Why(PolicySet policies, ObservationSet set, DriftMemory memory, DateTimeOffset now, string address)
    {
        var byHost = set.Observations.ToLookup(o => o.Host.ToLowerInvariant());
        var proof = Reconciler.Engine.RemovalProof.For(policies.Dependencies.First(d => d.Name == "app"), byHost, memory, policies.Settings.StaleAfter, now,
            Reconciler.Engine.DeclaredSightings.Of(policies, byHost, memory));
        proof.ProvesUnused(IPNetwork.Parse(address + "/32"), out _, out var evidence);
        return evidence;
    }

    private static string[] Draw(Random random, string[] pool, int k)
    {
        var take = Math.Min(k, pool.Length);
        var chosen = new HashSet<int>();
        while (chosen.Count < take)
            chosen.Add(random.Next(pool.Length));
        return [.. chosen.Select(i => pool[i])];
    }
}
