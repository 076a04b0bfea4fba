using Reconciler.Dns.Resolution;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;

namespace Reconciler.Tests.Engine;

/// <summary>What one host's lookups did in one run, at the two servers every schedule asks.</summary>
public enum Outcome
{
    /// <summary>Both servers answer with the addresses.</summary>
    Answer,
    /// <summary>Both say the name does not exist.</summary>
    NxDomain,
    /// <summary>The first server fails; the second answers with the addresses.</summary>
    ServFailAtOne,
    /// <summary>Neither server replies.</summary>
    TimeoutAtBoth,
    /// <summary>The first server does not reply; the second answers with the addresses (the run still proves).</summary>
    TimeoutAtOne,
    /// <summary>The run does not look the host up at all.</summary>
    NotAsked,
}

/// <summary>One host's lookups in one run: the first sample's addresses, and those of any further samples.</summary>
public sealed record HostRun(Outcome Outcome, IReadOnlyList<int> Addresses, IReadOnlyList<IReadOnlyList<int>>? More = null)
{
    public IEnumerable<IReadOnlyList<int>> Samples => [Addresses, .. More ?? []];
}

/// <summary>One run of a schedule: when, and what each host did.</summary>
public sealed record ScheduledRun(DateTimeOffset At, IReadOnlyList<HostRun> Hosts);

/// <summary>
/// A sequence of runs against one dependency whose hosts rotate over a pool of 192.0.2.N, and the removal rule
/// written out plainly (README, "What Reconciler will never do") to check the engine against: the time between two
/// consecutive lookups of a host counts when both resolved at every server that answered and lie at most
/// <see cref="ProvenSpan.LongestGap"/> apart; an address may be proposed for removal only in a run in which every
/// host resolved, once each host has that much counted time since anything in the destination was last seen; and,
/// for a host whose pool rotates (it gave more addresses than its largest answer held), once its answers since make
/// a still-served address unlikely to have stayed unseen (README, "Rotating pools"; counted here from the schedule).
/// </summary>
/// <param name="ttl">The TTL of every answer: above 0, identical answers of one server in one run count once.</param>
public sealed class RemovalSchedule(int hosts, TimeSpan staleAfter, IReadOnlyList<ScheduledRun> runs, uint ttl = 60)
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 6, 0, 0, TimeSpan.Zero);
    private static readonly string[] Servers = ["127.0.0.1:53", "127.0.0.2:53"];

    public int HostCount => hosts;
    public uint Ttl => ttl;
    public TimeSpan StaleAfter => staleAfter;
    public IReadOnlyList<ScheduledRun> Runs => runs;

    public static string HostName(int host) => $"h{host}.pool.test";

    public static string Address(int n) => $"192.0.2.{n}";

    /// <summary>A dependency of <paramref name="hosts"/> hosts admitted by 192.0.2.1–12 and a prefix nothing ever resolves into.</summary>
    public static string Policy(int hosts, TimeSpan staleAfter) => $"""
        dependencies:
          - name: pool
            hosts: [{string.Join(", ", Enumerable.Range(0, hosts).Select(HostName))}]
        allowlists:
          - name: egress
            kind: iptables
            rules:
              - dependency: pool
                destinations: [{string.Join(", ", Enumerable.Range(1, 12).Select(Address))}]
              - dependency: pool
                destinations: [198.51.100.0/28]
        settings:
          stale_after: {(int)staleAfter.TotalHours}h
        """;

    public static ObservationSet Observe(ScheduledRun run, uint ttl = 60)
    {
        var observations = new List<Observation>();
        for (var h = 0; h < run.Hosts.Count; h++)
        {
            foreach (var addresses in run.Hosts[h].Samples)
                Sample(h, run.Hosts[h].Outcome, addresses);
        }
        return new ObservationSet(run.At, Servers, observations);

        void Sample(int h, Outcome outcome, IReadOnlyList<int> addresses)
        {
            Observation Said(string server, DnsOutcome said) => new(
                HostName(h), "A", server, said, [],
                said == DnsOutcome.Answer ? [.. addresses.Select(a => new ObservedAddress(Address(a), ttl))] : [], run.At, 1);
            switch (outcome)
            {
                case Outcome.Answer:
                    observations.AddRange([Said(Servers[0], DnsOutcome.Answer), Said(Servers[1], DnsOutcome.Answer)]);
                    break;
                case Outcome.NxDomain:
                    observations.AddRange([Said(Servers[0], DnsOutcome.NxDomain), Said(Servers[1], DnsOutcome.NxDomain)]);
                    break;
                case Outcome.ServFailAtOne:
                    observations.AddRange([Said(Servers[0], DnsOutcome.ServFail), Said(Servers[1], DnsOutcome.Answer)]);
                    break;
                case Outcome.TimeoutAtBoth:
                    observations.AddRange([Said(Servers[0], DnsOutcome.Timeout), Said(Servers[1], DnsOutcome.Timeout)]);
                    break;
                case Outcome.TimeoutAtOne:
                    observations.AddRange([Said(Servers[0], DnsOutcome.Timeout), Said(Servers[1], DnsOutcome.Answer)]);
                    break;
            }
        }
    }

    public ObservationSet ObserveRun(int index) => Observe(runs[index], ttl);

    /// <summary>Runs the engine over the schedule: each run remembered, then diffed. The stale-ip findings of each run.</summary>
    public IReadOnlyList<IReadOnlyList<Finding>> Play(PolicySet policies)
    {
        var memory = DriftMemory.Empty;
        var proposals = new List<IReadOnlyList<Finding>>();
        foreach (var run in runs)
        {
            var observations = Observe(run, ttl);
            memory = memory.Remember(observations, run.At, staleAfter);
            proposals.Add([.. DriftEngineTests.Diff(policies, observations, memory, run.At).Where(f => f.Kind == FindingKind.StaleIp)]);
        }
        return proposals;
    }

    private static bool Resolves(Outcome outcome) => outcome is Outcome.Answer or Outcome.TimeoutAtOne;

    private static bool Sees(Outcome outcome) => outcome is Outcome.Answer or Outcome.TimeoutAtOne or Outcome.ServFailAtOne;

    /// <summary>The last run at or before <paramref name="upTo"/> in which a successful answer gave an address inside <paramref name="destination"/>.</summary>
    public DateTimeOffset? LastSeen(System.Net.IPNetwork destination, int upTo)
    {
        for (var i = upTo; i >= 0; i--)
        {
            if (runs[i].Hosts.Any(h => Sees(h.Outcome) && h.Addresses.Any(a => destination.Contains(System.Net.IPAddress.Parse(Address(a))))))
                return runs[i].At;
        }
        return null;
    }

    /// <summary>The time that counts towards stale_after for one host, between <paramref name="since"/> and run <paramref name="upTo"/>.</summary>
    public TimeSpan Counted(int host, DateTimeOffset? since, int upTo)
    {
        var gap = ProvenSpan.LongestGap(staleAfter);
        var total = TimeSpan.Zero;
        ScheduledRun? previous = null;
        for (var i = 0; i <= upTo; i++)
        {
            var outcome = runs[i].Hosts[host].Outcome;
            if (outcome == Outcome.NotAsked)
                continue;
            if (previous is not null && Resolves(previous.Hosts[host].Outcome) && Resolves(outcome) && runs[i].At - previous.At <= gap)
            {
                var from = since is { } s && s > previous.At ? s : previous.At;
                if (runs[i].At > from)
                    total += runs[i].At - from;
            }
            previous = runs[i];
        }
        return total;
    }

    /// <summary>Whether the rule allows removing <paramref name="destination"/> in run <paramref name="index"/>.</summary>
    public bool MayRemove(System.Net.IPNetwork destination, int index)
    {
        if (!runs[index].Hosts.All(h => Resolves(h.Outcome)))
            return false;
        var since = LastSeen(destination, index);
        return Enumerable.Range(0, hosts).All(h => Counted(h, since, index) >= staleAfter && Sampled(h, destination, index).Proven);
    }

    /// <summary>The successful answers of one host in one run, as the proof counts them (one per answering server and sample; with a TTL, identical ones of a server once).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Answers(int host, int index)
    {
        if (_answers.TryGetValue((host, index), out var known))
            return known;
        return _answers[(host, index)] = Count(host, index);
    }

    private readonly Dictionary<(int, int), IReadOnlyList<IReadOnlyList<int>>> _answers = [];

    private IReadOnlyList<IReadOnlyList<int>> Count(int host, int index)
    {
        var run = runs[index].Hosts[host];
        var servers = run.Outcome switch { Outcome.Answer => 2, Outcome.ServFailAtOne or Outcome.TimeoutAtOne => 1, _ => 0 };
        var samples = run.Samples.Where(s => s.Count > 0).ToList();
        var counted = ttl > 0 ? samples.DistinctBy(s => string.Join(",", s.Distinct().Order())).ToList() : samples;
        return [.. Enumerable.Range(0, servers).SelectMany(_ => counted)];
    }

    /// <summary>
    /// The rotating-pool half of the rule for one host, restated from the schedule: m answers since the host last gave
    /// anything inside the destination, s other addresses among them, k the fewest addresses any answer held; a host
    /// that never gave more addresses than its largest answer held does not rotate, and needs none of it.
    /// </summary>
    public (bool Rotates, int M, int S, int K, bool Proven) Sampled(int host, System.Net.IPNetwork destination, int index)
    {
        var all = Enumerable.Range(0, index + 1).Select(i => Answers(host, i)).ToList();
        var given = all.SelectMany(a => a).SelectMany(a => a).Distinct().ToList();
        if (given.Count == 0 || given.Count <= all.SelectMany(a => a).Max(a => a.Distinct().Count()))
            return (false, 0, 0, 0, true);
        bool Inside(int a) => destination.Contains(System.Net.IPAddress.Parse(Address(a)));
        var last = all.FindLastIndex(answers => answers.Any(a => a.Any(Inside)));
        // Never seen: only the answers since the host last gave an address it had never given count, against all it gave.
        var discovered = -1;
        var seen = new HashSet<int>();
        for (var i = 0; i < all.Count; i++)
        {
            foreach (var address in all[i].SelectMany(a => a))
            {
                if (seen.Add(address))
                    discovered = i;
            }
        }
        var since = all.Skip((last >= 0 ? last : discovered) + 1).SelectMany(a => a).ToList();
        var others = last >= 0 ? since.SelectMany(a => a).Where(a => !Inside(a)).Distinct().Count() : given.Count(a => !Inside(a));
        var k = all.SelectMany(a => a).Min(a => a.Distinct().Count());
        return (true, since.Count, others, k, since.Count > 0 && others > 0 && Reconciler.Engine.SamplingProof.Chance(since.Count, others, k) < Reconciler.Engine.SamplingProof.Threshold);
    }

    public override string ToString() =>
        $"{hosts} host(s), stale_after {staleAfter.TotalHours}h:\n" + string.Join("\n", runs.Select((r, i) =>
            $"  {i,2} {r.At:yyyy-MM-dd HH:mm} " + string.Join(" | ", r.Hosts.Select(h => h.Outcome + (h.Addresses.Count > 0 ? " " + string.Join(",", h.Addresses) : "")))));
}
