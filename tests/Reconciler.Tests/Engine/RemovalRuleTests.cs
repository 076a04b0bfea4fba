using System.Collections.Concurrent;
using System.Net;
using Reconciler.Memory;
using Reconciler.Policies.Model;

namespace Reconciler.Tests.Engine;

/// <summary>
/// The removal rule over sequences of runs. One invariant: nothing seen on a successful lookup within stale_after of
/// successful observation is ever proposed for removal. And its other half, so that the tests cannot pass by never
/// removing: an address the pool really left is proposed once the proof is there.
/// </summary>
public sealed class RemovalRuleTests
{
    private static readonly TimeSpan[] StaleAfters = [TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(3), TimeSpan.FromDays(7)];

    private static readonly ConcurrentDictionary<(int, TimeSpan), PolicySet> Policies = new();

    private static PolicySet PolicyFor(int hosts, TimeSpan staleAfter) =>
        Policies.GetOrAdd((hosts, staleAfter), k => DriftEngineTests.Parse(RemovalSchedule.Policy(k.Item1, k.Item2)));

    private static HostRun H(Outcome outcome, params int[] addresses) => new(outcome, addresses);

    /// <summary>Eight samples of the same addresses: with TTL 0 each is an answer of its own.</summary>
    private static HostRun H8(Outcome outcome, params int[] addresses) => new(outcome, addresses, [.. Enumerable.Repeat<IReadOnlyList<int>>(addresses, 7)]);

    /// <summary>A run <paramref name="days"/> after the start, one host run per host.</summary>
    private static ScheduledRun At(double days, params HostRun[] hosts) => new(RemovalSchedule.Start.AddDays(days), hosts);

    public sealed record Row(string Situation, int Hosts, int StaleAfterDays, ScheduledRun[] Runs, string[] StaleAtTheEnd, uint Ttl = 60)
    {
        public override string ToString() => Situation;
    }

    private static ScheduledRun[] Daily(int from, int to, Func<int, HostRun[]> hosts) => [.. Enumerable.Range(from, to - from + 1).Select(d => At(d, hosts(d)))];

    // stale_after 4d: a run's reach (ProvenSpan.LongestGap) is then one day, so daily runs prove.
    public static TheoryData<Row> Rows() =>
    [
        new Row("a pool seen daily keeps what it gives, loses what it never gave", 1, 4,
            Daily(0, 5, _ => [H(Outcome.Answer, 1, 2)]),
            [.. Enumerable.Range(3, 10).Select(RemovalSchedule.Address), "198.51.100.0/28"]),
        new Row("a subset each run: the rotation is learnt, nothing of the pool goes", 1, 4,
            Daily(0, 5, d => [H8(Outcome.Answer, d % 2 == 0 ? 1 : 2)]),
            [.. Enumerable.Range(3, 10).Select(RemovalSchedule.Address), "198.51.100.0/28"], Ttl: 0),
        new Row("a pool of twelve, one address a day: each is unseen for eleven days, and none goes", 1, 4,
            Daily(0, 30, d => [H(Outcome.Answer, d * 5 % 12 + 1)]),
            []),
        new Row("…and with eight samples a day, TTL 0, each is seen within days: only the prefix it never gave goes", 1, 4,
            Daily(0, 30, d => [new HostRun(Outcome.Answer, [d * 5 % 12 + 1], [.. Enumerable.Range(1, 7).Select(i => (IReadOnlyList<int>)[(d * 5 + i * 7) % 12 + 1])])]),
            ["198.51.100.0/28"], Ttl: 0),
        new Row("an outage longer than stale_after, then one partial answer: nothing is stale", 1, 4,
            [At(0, H(Outcome.Answer, 1, 2)), .. Daily(1, 9, _ => [H(Outcome.ServFailAtOne)]), At(10, H(Outcome.Answer, 1))],
            []),
        new Row("NXDOMAIN for a week ages nothing", 1, 4,
            [.. Daily(0, 1, _ => [H(Outcome.Answer, 1, 2)]), .. Daily(2, 8, _ => [H(Outcome.NxDomain)]), At(9, H(Outcome.Answer, 1))],
            []),
        new Row("timeouts at every server age nothing", 1, 4,
            [.. Daily(0, 1, _ => [H(Outcome.Answer, 1, 2)]), .. Daily(2, 8, _ => [H(Outcome.TimeoutAtBoth)]), At(9, H(Outcome.Answer, 1))],
            []),
        new Row("a server that never answers does not stop the proof of those that do", 1, 4,
            [At(0, H(Outcome.Answer, 1, 2)), .. Daily(1, 5, _ => [H(Outcome.TimeoutAtOne, 1)])],
            ["192.0.2.2", .. Enumerable.Range(3, 10).Select(RemovalSchedule.Address), "198.51.100.0/28"]),
        new Row("three weeks with no run at all prove nothing", 1, 4,
            [At(0, H(Outcome.Answer, 1, 2)), At(21, H(Outcome.Answer, 1)), At(22, H(Outcome.Answer, 1))],
            []),
        new Row("runs with no lookup of the host are silence, not proof", 1, 4,
            [At(0, H(Outcome.Answer, 1, 2)), .. Daily(1, 6, _ => [H(Outcome.NotAsked)]), At(7, H(Outcome.Answer, 1))],
            []),
        new Row("a failure this run stops every removal, however old the proof", 1, 4,
            [.. Daily(0, 7, _ => [H(Outcome.Answer, 1)]), At(8, H(Outcome.ServFailAtOne, 1))],
            []),
        new Row("one host failing stops the removals of the whole dependency", 2, 4,
            [.. Daily(0, 7, _ => [H(Outcome.Answer, 1), H(Outcome.Answer, 2)]), At(8, H(Outcome.Answer, 1), H(Outcome.NxDomain))],
            []),
        new Row("a pool that moved away is proposed once four days of proof have passed", 1, 4,
            [.. Daily(0, 2, _ => [H8(Outcome.Answer, 1, 2)]), .. Daily(3, 6, _ => [H8(Outcome.Answer, 7, 8)])],
            ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.9", "192.0.2.10", "192.0.2.11", "192.0.2.12", "198.51.100.0/28"], Ttl: 0),
        new Row("…but not a day before", 1, 4,
            [.. Daily(0, 2, _ => [H8(Outcome.Answer, 1, 2)]), .. Daily(3, 5, _ => [H8(Outcome.Answer, 7, 8)])],
            ["192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.9", "192.0.2.10", "192.0.2.11", "192.0.2.12", "198.51.100.0/28"], Ttl: 0),
        new Row("…nor, the same with a TTL, before its answers prove it: identical answers count once per server and run", 1, 4,
            [.. Daily(0, 2, _ => [H8(Outcome.Answer, 1, 2)]), .. Daily(3, 6, _ => [H8(Outcome.Answer, 7, 8)])],
            []),
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_sequence_of_runs_proposes_exactly_what_is_proven_unused(Row row)
    {
        var schedule = new RemovalSchedule(row.Hosts, TimeSpan.FromDays(row.StaleAfterDays), row.Runs, row.Ttl);

        var proposals = schedule.Play(PolicyFor(row.Hosts, schedule.StaleAfter));

        Assert.Equal(row.StaleAtTheEnd.Order(StringComparer.Ordinal), proposals[^1].Select(f => f.Subject).Order(StringComparer.Ordinal));
        AssertSafe(schedule, proposals, seed: null);
    }

    /// <summary>
    /// Seeded random schedules: pools that rotate and move, outages of every kind, gaps with no run. Replay one with
    /// RECONCILER_REMOVAL_SEED=N (and RECONCILER_REMOVAL_SCHEDULES=1); the failure message prints the schedule.
    /// </summary>
    [Fact]
    public void Generated_schedules_never_remove_what_was_seen_and_do_remove_what_left()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_REMOVAL_SEED"), out var s) ? s : 20261201;
        var count = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_REMOVAL_SCHEDULES"), out var c) ? c : 10_000;
        var proven = 0;
        var failures = new ConcurrentQueue<string>();
        Parallel.For(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, seed =>
        {
            var (schedule, moved) = Generate(seed);
            var proposals = schedule.Play(PolicyFor(schedule.HostCount, schedule.StaleAfter));
            try
            {
                AssertSafe(schedule, proposals, seed);
                if (moved is { } left)
                {
                    var last = proposals[^1].Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
                    var kept = left.Select(RemovalSchedule.Address).Where(a => !last.Contains(a)).ToList();
                    Assert.True(kept.Count == 0, $"seed {seed}: the pool left {string.Join(", ", kept)} and the proof is complete, yet they were not proposed for removal\n{schedule}");
                    Interlocked.Increment(ref proven);
                }
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException)
            {
                failures.Enqueue(e.Message);
            }
        });
        Assert.True(failures.IsEmpty, $"{failures.Count} of {count} schedules failed; the first:\n{failures.FirstOrDefault()}");
        Assert.True(count < 100 || proven > count / 5, $"only {proven} of {count} schedules ended with a complete proof: the generator no longer tests removals");
    }

    /// <summary>Every proposal of every run is allowed by the rule as the schedule states it.</summary>
    private static void AssertSafe(RemovalSchedule schedule, IReadOnlyList<IReadOnlyList<Reconciler.Findings.Finding>> proposals, int? seed)
    {
        for (var i = 0; i < proposals.Count; i++)
        {
            foreach (var finding in proposals[i])
            {
                var destination = IPNetwork.Parse(finding.Subject.Contains('/', StringComparison.Ordinal) ? finding.Subject : finding.Subject + "/32");
                Assert.True(schedule.MayRemove(destination, i),
                    $"seed {seed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(table)"}: run {i} proposed removing {finding.Subject}, last seen {schedule.LastSeen(destination, i):yyyy-MM-dd HH:mm}, " +
                    $"which the rule does not allow ({finding.Evidence[0].Detail})\n{schedule}");
            }
        }
    }

    /// <summary>
    /// One random schedule. Half of them end with a proof phase: the pool moved to addresses it never had, then every
    /// host resolves at short intervals, eight samples a run with TTL 0, until stale_after and a gap have passed and
    /// each host has given at least 2·ln(10⁶)·(p + 1)/k answers, p the addresses it ever gave and k the fewest one
    /// answer held (the bound within which a moved pool must be proposed: README, "Rotating pools"). Their
    /// <c>Moved</c> is what the pool left. Without a proof phase the TTL is 0 or 60.
    /// </summary>
    private static (RemovalSchedule Schedule, int[]? Moved) Generate(int seed)
    {
        var random = new Random(seed);
        var hosts = random.Next(1, 3);
        var staleAfter = StaleAfters[random.Next(StaleAfters.Length)];
        var gap = ProvenSpan.LongestGap(staleAfter);
        int[] Pool(int from, int to) => [.. Enumerable.Range(from, to - from + 1).Where(_ => random.Next(2) == 0).DefaultIfEmpty(from)];
        var oldPool = Pool(1, 6);
        var newPool = Pool(7, 12);
        var runs = new List<ScheduledRun>();
        var at = RemovalSchedule.Start;
        var count = random.Next(30, 61);
        var moveAt = random.Next(count);
        var proofPhase = random.Next(2) == 0;
        for (var i = 0; i < count; i++)
        {
            var pool = i < moveAt ? oldPool : newPool;
            runs.Add(new ScheduledRun(at, [.. Enumerable.Range(0, hosts).Select(_ => RandomHostRun(random, pool))]));
            var step = random.Next(10) == 0
                ? TimeSpan.FromTicks((long)(gap.Ticks * (1 + random.NextDouble() * 6)))   // a silence longer than a run's reach
                : TimeSpan.FromTicks((long)(gap.Ticks * (0.1 + random.NextDouble() * 0.9)));
            at += step;
        }
        if (!proofPhase)
            return (new RemovalSchedule(hosts, staleAfter, runs, random.Next(2) == 0 ? 0u : 60u), null);
        // Every host answers from the new pool, runs half a gap apart, until the bound above is reached.
        var until = at + staleAfter + gap;
        var given = oldPool.Concat(newPool).Distinct().Count();
        var answers = 0;
        for (; at <= until || answers < Bound(given, Smallest(runs)); at += gap / 2)
        {
            runs.Add(new ScheduledRun(at, [.. Enumerable.Range(0, hosts).Select(_ => new HostRun(Outcome.Answer, Subset(random, newPool), [.. Enumerable.Range(0, 7).Select(_ => Subset(random, newPool))]))]));
            answers += 16; // eight samples at two servers, TTL 0
        }
        runs.Add(new ScheduledRun(at, [.. Enumerable.Range(0, hosts).Select(_ => new HostRun(Outcome.Answer, Subset(random, newPool)))]));
        var seenOld = runs.SelectMany(r => r.Hosts).SelectMany(h => h.Samples).SelectMany(a => a).Where(a => a <= 6).ToHashSet();
        return (new RemovalSchedule(hosts, staleAfter, runs, 0), [.. seenOld]);
    }

    /// <summary>Answers within which a moved pool must be proposed: 2·ln(10⁶)·(p + 1)/k, far past where the bound of README "Rotating pools" falls under 10⁻⁶.</summary>
    internal static int Bound(int given, int smallest) => (int)Math.Ceiling(2 * Math.Log(1e6) * (given + 1) / Math.Max(1, smallest));

    private static int Smallest(IEnumerable<ScheduledRun> runs) =>
        runs.SelectMany(r => r.Hosts).Where(h => h.Outcome is Outcome.Answer or Outcome.ServFailAtOne or Outcome.TimeoutAtOne)
            .SelectMany(h => h.Samples).Select(s => s.Distinct().Count()).Where(c => c > 0).DefaultIfEmpty(1).Min();

    private static HostRun RandomHostRun(Random random, int[] pool) => random.Next(100) switch
    {
        < 55 => new HostRun(Outcome.Answer, Subset(random, pool)),
        < 64 => new HostRun(Outcome.NxDomain, []),
        < 73 => new HostRun(Outcome.ServFailAtOne, Subset(random, pool)),
        < 82 => new HostRun(Outcome.TimeoutAtBoth, []),
        < 91 => new HostRun(Outcome.TimeoutAtOne, Subset(random, pool)),
        _ => new HostRun(Outcome.NotAsked, []),
    };

    private static int[] Subset(Random random, int[] pool) => [.. pool.Where(_ => random.Next(3) > 0).DefaultIfEmpty(pool[random.Next(pool.Length)])];
}
