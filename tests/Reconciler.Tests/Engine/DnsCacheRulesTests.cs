using System.Collections.Immutable;
using Reconciler.Dns.Resolution;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Loading;

namespace Reconciler.Tests.Engine;

/// <summary>dns-cache-too-long from policies, this run's TTLs and the memory, with no network.</summary>
public sealed class DnsCacheRulesTests
{
    private static readonly DateTimeOffset Now = DriftEngineTests.Now;

    private static string Policy(string cache, string userAgent = "sync/2.4 (+https://example.org/contact) Java/17") => $"""
        dependencies:
          - name: pool
            hosts: [pool.example.test]
            identity: sync
        identities:
          - name: sync
            user_agent: "{userAgent}"
            dns_cache_ttl: {cache}
        settings:
          stale_after: 2d
        """;

    private static ObservationSet Seen(uint ttl, params string[] addresses) => new(Now, ["127.0.0.1:53"],
        [new Observation("pool.example.test", "A", "127.0.0.1:53", DnsOutcome.Answer, [], [.. addresses.Select(a => new ObservedAddress(a, ttl))], Now, 1)]);

    /// <summary>A memory of pool.example.test since <paramref name="sinceDays"/> ago: address, first seen and last seen, in days before now.</summary>
    private static DriftMemory Memory(double sinceDays, params (string Address, double First, double Last)[] addresses) => new(
        ImmutableSortedDictionary<string, HostMemory>.Empty.WithComparers(StringComparer.Ordinal).Add("pool.example.test", new HostMemory(
            Now.AddDays(-sinceDays),
            addresses.ToImmutableSortedDictionary(a => a.Address, a => new AddressMemory(Now.AddDays(-a.First), Now.AddDays(-a.Last)), StringComparer.Ordinal))));

    private static readonly DriftMemory Stable = Memory(10, ("192.0.2.1", 10, 0), ("192.0.2.2", 10, 0));

    /// <summary>192.0.2.3 came a day ago; 192.0.2.1 was last served a day ago and is gone from this run's answers.</summary>
    private static readonly DriftMemory Rotating = Memory(10, ("192.0.2.1", 10, 1), ("192.0.2.2", 10, 0), ("192.0.2.3", 1, 0));

    private static List<Finding> Check(string policy, ObservationSet seen, DriftMemory memory) =>
        [.. DnsCacheRules.Check(DriftEngineTests.Parse(policy), seen, memory, Now)];

    [Fact]
    public void A_cache_longer_than_the_ttl_of_a_stable_pool_is_low()
    {
        var finding = Assert.Single(Check(Policy("5m"), Seen(60, "192.0.2.1", "192.0.2.2"), Stable));

        Assert.Equal((FindingKind.DnsCacheTooLong, Severity.Low, "pool", "sync", "pool.example.test"), (finding.Kind, finding.Severity, finding.Dependency, finding.Subject, finding.Host));
        Assert.Contains("keeps DNS answers for 5m (dns_cache_ttl)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("pool.example.test has TTL 60 s", finding.Message, StringComparison.Ordinal);
        Assert.Contains("networkaddress.cache.ttl=60", finding.Message, StringComparison.Ordinal);
        Assert.Equal(8, finding.Location!.Line);
        Assert.Equal(FindingAction.Issue, finding.Action);
    }

    [Fact]
    public void Forever_is_medium_on_a_stable_pool_and_high_once_the_pool_rotates()
    {
        var stable = Assert.Single(Check(Policy("forever"), Seen(60, "192.0.2.1", "192.0.2.2"), Stable));
        var rotating = Assert.Single(Check(Policy("forever"), Seen(60, "192.0.2.2", "192.0.2.3"), Rotating));

        Assert.Equal((Severity.Medium, Severity.High), (stable.Severity, rotating.Severity));
        Assert.Contains("did not rotate", stable.Message, StringComparison.Ordinal);
        Assert.Contains("pool.example.test: 192.0.2.3 came and 192.0.2.1 went within 2d", rotating.Message, StringComparison.Ordinal);
        Assert.Contains("keeps DNS answers forever", rotating.Message, StringComparison.Ordinal);
        Assert.Equal(stable.Fingerprint, rotating.Fingerprint);
        Assert.Contains(rotating.Evidence, e => e.Source == "memory" && e.Detail == "pool.example.test: came 192.0.2.3; went 192.0.2.1");
        Assert.Contains(rotating.Evidence, e => e.Source == "127.0.0.1:53" && e.Ttl == 60 && e.Detail == "pool.example.test: 192.0.2.2 TTL 60, 192.0.2.3 TTL 60");
    }

    [Fact]
    public void A_rotating_pool_raises_a_finite_cache_too_but_a_cache_within_the_ttl_is_never_reported()
    {
        Assert.Equal(Severity.High, Assert.Single(Check(Policy("2m"), Seen(60, "192.0.2.2", "192.0.2.3"), Rotating)).Severity);
        Assert.Empty(Check(Policy("30s"), Seen(60, "192.0.2.2", "192.0.2.3"), Rotating));
        Assert.Empty(Check(Policy("60s"), Seen(60, "192.0.2.2", "192.0.2.3"), Rotating));
        Assert.Empty(Check(Policy("0s"), Seen(60, "192.0.2.2", "192.0.2.3"), Rotating));
    }

    [Fact]
    public void Addresses_that_went_before_stale_after_are_not_rotation_and_a_failed_lookup_gives_no_ttl_to_compare()
    {
        var old = Memory(30, ("192.0.2.1", 30, 5), ("192.0.2.2", 30, 0));

        Assert.Equal(Severity.Low, Assert.Single(Check(Policy("5m"), Seen(60, "192.0.2.2"), old)).Severity);
        var failed = new ObservationSet(Now, ["127.0.0.1:53"], [new Observation("pool.example.test", "A", "127.0.0.1:53", DnsOutcome.ServFail, [], [], Now, 1)]);
        Assert.Empty(Check(Policy("forever"), failed, Rotating));
    }

    [Theory]
    [InlineData("Java/1.8.0_292", "jvm", "networkaddress.cache.ttl=60 in $JAVA_HOME/conf/security/java.security")]
    [InlineData("partner-sync/1.0 okhttp/4.12.0", "jvm", "networkaddress.cache.ttl")]
    [InlineData("python-requests/2.31.0", "python", "recycle pooled connections within 60 s")]
    [InlineData("curl/8.5.0", "curl", "CURLOPT_DNS_CACHE_TIMEOUT to 60 or less")]
    [InlineData("Go-http-client/1.1", "go", "IdleConnTimeout by 60 s")]
    [InlineData("sync/2.4 (+https://example.org/contact)", null, "networkaddress.cache.ttl=60 in java.security for a JVM, or the runtime's equivalent")]
    [InlineData("notJava/1.0", null, "the runtime's equivalent")]
    public void The_user_agent_hints_the_runtime_and_the_fix_names_its_setting(string userAgent, string? runtime, string fix)
    {
        Assert.Equal(runtime, UserAgentRules.RuntimeOf(userAgent));
        var finding = Assert.Single(Check(Policy("forever", userAgent), Seen(60, "192.0.2.1"), Stable));
        Assert.Contains(fix, finding.Message, StringComparison.Ordinal);
        Assert.Equal(runtime is not null, finding.Message.Contains($"\" says {RuntimeDnsCaches.For(runtime).Runtime})", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_runtime_in_the_user_agent_list_has_advice()
    {
        var listed = File.ReadAllLines(Path.Combine(Support.RepoPaths.Root, "tasks", "Reconciler", "Engine", "risky-user-agents.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')[2]).Distinct();
        Assert.All(listed, runtime => Assert.Contains(runtime, RuntimeDnsCaches.Runtimes));
    }

    /// <summary>
    /// Generated memories and answers (seeded): a finding exists exactly when the cache outlives the largest TTL seen,
    /// it is high exactly when an address seen within stale_after is missing from this run's answers, and its message
    /// names every such address.
    /// </summary>
    [Fact]
    public void Generated_pools_are_high_exactly_when_an_address_went_within_stale_after()
    {
        const int seed = 1809;
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            var addresses = Enumerable.Range(1, random.Next(1, 7)).Select(i => $"192.0.2.{i}").ToList();
            var remembered = addresses.Select(a => (a, First: random.Next(0, 6) * 0.5, Last: 0.0)).Select(x => (x.a, x.First, Last: random.NextDouble() < 0.5 ? 0 : random.Next(0, (int)(x.First * 2) + 1) * 0.5)).ToArray();
            var current = remembered.Where(r => r.Last == 0).Select(r => r.a).ToArray();
            if (current.Length == 0)
                continue;
            var ttl = (uint)random.Next(1, 600);
            var cache = random.Next(4) == 0 ? "forever" : $"{random.Next(0, 900)}s";
            var findings = Check(Policy(cache), Seen(ttl, current), Memory(3, remembered));

            var outlives = cache == "forever" || int.Parse(cache[..^1], System.Globalization.CultureInfo.InvariantCulture) > ttl;
            Assert.True(outlives == (findings.Count == 1), $"seed {seed} round {round}: {cache} against TTL {ttl}");
            if (!outlives)
                continue;
            var went = remembered.Where(r => r.Last > 0 && r.Last <= 2).Select(r => r.a).ToList();
            Assert.True((went.Count > 0) == (findings[0].Severity == Severity.High), $"seed {seed} round {round}: went {string.Join(",", went)}; {findings[0].Message}");
            Assert.All(went, a => Assert.Contains(a, findings[0].Message, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("30s", "00:00:30")]
    [InlineData("0s", "00:00:00")]
    [InlineData("forever", null)]
    [InlineData("3650d", "3650.00:00:00")]
    public void Dns_cache_ttl_takes_seconds_and_forever(string text, string? expected)
    {
        var identity = DriftEngineTests.Parse(Policy(text)).Identities.Single();

        Assert.Equal(expected, identity.DnsCacheTtl!.Duration?.ToString());
        Assert.Equal(expected is null, identity.DnsCacheTtl.Forever);
    }

    [Theory]
    [InlineData("-1", "p.yaml:8:20: 'dns_cache_ttl' must be a duration (e.g. 30s, 5m, 1h) or forever (Java's -1), not '-1'")]
    [InlineData("30", "p.yaml:8:20: 'dns_cache_ttl' must be a duration (e.g. 30s, 5m, 1h) or forever (Java's -1), not '30'")]
    [InlineData("5000d", "p.yaml:8:20: 'dns_cache_ttl' of '5000d' is longer than ten years; write forever")]
    [InlineData("never", "p.yaml:8:20: 'dns_cache_ttl' must be a duration (e.g. 30s, 5m, 1h) or forever (Java's -1), not 'never'")]
    public void A_dns_cache_ttl_that_is_neither_is_an_error_at_its_line(string text, string error)
    {
        var result = PolicyParser.Parse([new PolicySource("p.yaml", Policy(text))]);

        Assert.Equal([error], result.Errors.Select(e => e.ToString()));
    }
}
