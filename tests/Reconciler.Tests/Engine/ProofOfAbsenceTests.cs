using System.Net;
using Reconciler.Dns.Resolution;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;

namespace Reconciler.Tests.Engine;

/// <summary>
/// The cases that cut live traffic before the proof counted answers, followed hosts and clipped clocks (README,
/// "Rotating pools", "Hosts carry memory", "Clocks"), each with its positive control.
/// </summary>
public sealed class ProofOfAbsenceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);

    private static string Pool(int n) => $"203.0.113.{n}";

    private const string PoolPolicy = """
        dependencies:
          - name: pool
            hosts: [pool.partner.test]
        allowlists:
          - name: egress
            kind: iptables
            rules:
              - dependency: pool
                destinations: [{0}]
        settings:
          samples: 3
          stale_after: 7d
        """;

    private static ObservationSet Answers(DateTimeOffset at, string host, IEnumerable<string[]> samples, uint ttl = 0) =>
        new(at, ["127.0.0.1:53"], [.. samples.Select(s => new Observation(host, "A", "127.0.0.1:53", DnsOutcome.Answer, [], [.. s.Select(a => new ObservedAddress(a, ttl))], at, 1))]);

    private static string[][] Draws(Random random, string[] pool, int samples, int k) =>
        [.. Enumerable.Range(0, samples).Select(_ => pool.OrderBy(_ => random.Next()).Take(k).ToArray())];

    [Theory]
    [InlineData(3)]
    [InlineData(64)]
    public void A_pool_of_40_answering_2_with_TTL_0_loses_none_of_its_live_addresses_in_30_days(int samples)
    {
        var pool = Enumerable.Range(1, 40).Select(Pool).ToArray();
        var policies = DriftEngineTests.Parse(PoolPolicy.Replace("{0}", string.Join(", ", pool), StringComparison.Ordinal));
        var random = new Random(40);
        var memory = DriftMemory.Empty;
        var proposed = new HashSet<string>(StringComparer.Ordinal);
        for (var day = 0; day <= 30; day++)
        {
            var at = Start.AddDays(day);
            var run = Answers(at, "pool.partner.test", Draws(random, pool, samples, 2));
            memory = memory.Remember(run, at, policies.Settings.StaleAfter);
            proposed.UnionWith(DriftEngineTests.Diff(policies, run, memory, at).Where(f => f.Kind == FindingKind.StaleIp).Select(f => f.Subject));
        }

        Assert.Empty(proposed);
        Assert.True(memory.Find("pool.partner.test")!.Rotates());
    }

    [Fact]
    public void A_pool_of_40_that_moved_is_proposed_once_its_answers_prove_it_and_the_evidence_says_so_in_numbers()
    {
        var pool = Enumerable.Range(1, 40).Select(Pool).ToArray();
        var moved = Enumerable.Range(101, 40).Select(Pool).ToArray();
        var policies = DriftEngineTests.Parse(PoolPolicy.Replace("{0}", string.Join(", ", pool), StringComparison.Ordinal));
        var random = new Random(41);
        var memory = DriftMemory.Empty;
        var firstProposed = new Dictionary<string, int>(StringComparer.Ordinal);
        Finding? example = null;
        for (var day = 0; day <= 30; day++)
        {
            var at = Start.AddDays(day);
            var run = Answers(at, "pool.partner.test", Draws(random, day < 10 ? pool : moved, 64, 2));
            memory = memory.Remember(run, at, policies.Settings.StaleAfter);
            foreach (var finding in DriftEngineTests.Diff(policies, run, memory, at).Where(f => f.Kind == FindingKind.StaleIp))
            {
                Assert.True(day >= 10, $"day {day}: {finding.Subject} proposed while the pool still serves it ({finding.Evidence[0].Detail})");
                firstProposed.TryAdd(finding.Subject, day);
                example ??= finding;
            }
        }

        // Moved on day 10: stale_after (7d) after each address was last seen, and enough answers, by day 18 at the latest.
        Assert.Equal(pool.Order(StringComparer.Ordinal), firstProposed.Keys.Order(StringComparer.Ordinal));
        Assert.All(firstProposed.Values, day => Assert.InRange(day, 16, 18));
        Assert.Matches(@"pool\.partner\.test rotates: 0 of \d+ answers of ≥ 2 since, which showed \d+ other addresses \(a pool of ≥ \d+\): a still-served address stays unseen that long with probability ≤ \d\.\de-\d+ \(< 1e-6\)", example!.Evidence[0].Detail);
    }

    [Theory]
    [InlineData(84, 10, 2, 4.5e-8, 5.1e-8)]    // 0 of 84 answers of 2 from a pool of ≥ 11: (9/11)^84 ≈ 4.8e-8
    [InlineData(40, 10, 2, 2.9e-4, 3.3e-4)]    // …but 40 answers are not proof: (9/11)^40 ≈ 3.2e-4
    [InlineData(270, 39, 2, 9.0e-7, 9.9e-7)]   // the pool of 40: (38/40)^270 ≈ 9.6e-7
    [InlineData(13, 2, 2, 6.0e-7, 6.6e-7)]     // a pair that moved to another pair: 3^-13 ≈ 6.3e-7
    public void The_bound_is_the_smallest_pool_s_when_many_answers_were_seen(int m, int s, int k, double low, double high) =>
        Assert.InRange(SamplingProof.Chance(m, s, k), low, high);

    [Fact]
    public void The_bound_is_never_below_any_pool_s_own_chance_and_says_nothing_of_a_few_answers()
    {
        for (var s = 1; s <= 20; s++)
        {
            for (var k = 1; k <= Math.Min(s, 8); k++)
            {
                foreach (var m in new[] { 1, 2, 5, 20, 100 })
                {
                    var bound = SamplingProof.Chance(m, s, k);
                    for (var n = s + 1; n <= s + 60; n++)
                    {
                        // C(n-1, s)·(C(s,k)/C(n,k))^m, directly.
                        var term = Math.Exp(LogChoose(n - 1, s) + m * (LogChoose(s, k) - LogChoose(n, k)));
                        Assert.True(bound >= Math.Min(1, term) * (1 - 1e-9), $"m {m}, s {s}, k {k}: bound {bound} under pool {n}'s {term}");
                    }
                }
            }
        }
        Assert.Equal(1, SamplingProof.Chance(5, 10, 2)); // k·m ≤ s: a large pool would stay unseen as easily
        Assert.Equal(1, SamplingProof.Chance(0, 10, 2));
    }

    private static double LogChoose(int n, int k)
    {
        var sum = 0.0;
        for (var i = 0; i < k; i++)
            sum += Math.Log((double)(n - i) / (k - i));
        return sum;
    }

    [Fact]
    public void A_host_that_moves_to_another_dependency_keeps_what_it_resolves_to_in_the_rules_of_its_old_one()
    {
        string Policy(bool moved) => $"""
            dependencies:
              - name: app
                hosts: [x.partner.test{(moved ? "" : ", y.partner.test")}]
            {(moved ? "  - name: app-y\n    hosts: [y.partner.test]\n" : "")}allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: app
                    destinations: [198.51.100.1, 198.51.100.2, 198.51.100.9]
            settings:
              stale_after: 14d
            """;
        var memory = DriftMemory.Empty;
        IReadOnlyList<Finding> stale = [];
        for (var day = 0; day <= 20; day++)
        {
            var at = Start.AddDays(day);
            var run = new ObservationSet(at, ["127.0.0.1:53"], [
                .. Answers(at, "x.partner.test", [["198.51.100.1"]], 300).Observations,
                .. Answers(at, "y.partner.test", [["198.51.100.2"]], 300).Observations]);
            memory = memory.Remember(run, at, TimeSpan.FromDays(14));
            stale = [.. DriftEngineTests.Diff(DriftEngineTests.Parse(Policy(moved: day >= 16)), run, memory, at).Where(f => f.Kind == FindingKind.StaleIp)];
            Assert.DoesNotContain(stale, f => f.Subject is "198.51.100.1" or "198.51.100.2");
        }

        // Positive control: what nobody resolves still goes.
        Assert.Equal(["198.51.100.9"], stale.Select(f => f.Subject));
    }

    [Fact]
    public void A_run_from_15_years_ahead_is_clipped_reported_and_stops_no_later_proof()
    {
        var policies = DriftEngineTests.Parse("""
            dependencies:
              - name: clock
                hosts: [c.partner.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: clock
                    destinations: [198.51.100.1, 198.51.100.9]
            settings:
              stale_after: 7d
            """);
        var memory = DriftMemory.Empty.Remember(Answers(Start, "c.partner.test", [["198.51.100.1"]], 300), Start, policies.Settings.StaleAfter);
        var future = Start.AddYears(15);
        memory = memory.Remember(Answers(future, "c.partner.test", [["198.51.100.1"]], 300), future, policies.Settings.StaleAfter);

        var (clipped, found) = memory.ClippedTo(Start.AddDays(2));
        Assert.Equal((1, 1), (found.Sightings, found.Spans));
        Assert.Contains("dated after this run's clock (2026-11-03 06:00), the latest at 2041-11-01 06:00", found.Describe(Start.AddDays(2)), StringComparison.Ordinal);
        Assert.True(clipped.ClippedTo(Start.AddDays(2)).Clipped.IsNone);

        int? proposedOn = null;
        for (var day = 2; day <= 12 && proposedOn is null; day++)
        {
            var at = Start.AddDays(day);
            var run = Answers(at, "c.partner.test", [["198.51.100.1"]], 300);
            memory = memory.Remember(run, at, policies.Settings.StaleAfter);
            var stale = DriftEngineTests.Diff(policies, run, memory, at).Where(f => f.Kind == FindingKind.StaleIp).ToList();
            Assert.DoesNotContain(stale, f => f.Subject == "198.51.100.1");
            if (stale.Any(f => f.Subject == "198.51.100.9"))
                proposedOn = day;
        }
        Assert.Equal(9, proposedOn); // seven days of proof from day 2, the first run after the future one
    }
}
