using System.Collections.Immutable;
using Reconciler.Dns.Resolution;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;

namespace Reconciler.Tests.Engine;

/// <summary>The diff as a table: one row per situation, the findings it must give as "kind allowlist subject".</summary>
public sealed class DriftEngineTests
{
    internal static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    // api: dns-tracked, admitted by single addresses, a CIDR and a pinned rule; partner: static; squid admits api by name.
    internal const string Policy = """
        dependencies:
          - name: api
            hosts: [api.example.test]
          - name: partner
            hosts: [partner.example.test]
            track: static
        allowlists:
          - name: egress
            kind: iptables
            rules:
              - dependency: api
                destinations: [192.0.2.1, 192.0.2.2, 198.51.100.0/28]
              - dependency: api
                pinned: true
                destinations: [192.0.2.99]
              - dependency: partner
                destinations: [203.0.113.5]
          - name: squid
            kind: proxy
            rules:
              - dependency: api
                domains: [.example.test]
        settings:
          stale_after: 2d

        """;

    /// <summary>One situation: what DNS said this run, what memory holds from before, extra policy, and the expected findings.</summary>
    public sealed record Row(string Situation, string[] Observed, string[] Remembered, string ExtraPolicy, string[] Expected)
    {
        public override string ToString() => Situation;
    }

    // Observed: "host type outcome address,address"; remembered: "host address days-since-last-seen" (the host
    // has been observed successfully for 10 days unless a row says "host since N").
    private static readonly string[] Steady = ["api.example.test A Answer 192.0.2.1,192.0.2.2", "partner.example.test A Answer 203.0.113.5"];
    private static readonly string[] SteadyMemory = ["api.example.test 198.51.100.3 1", "partner.example.test 203.0.113.5 0"];

    public static TheoryData<Row> Rows() =>
    [
        new Row("a steady world gives nothing (and the pinned address, never seen, is not stale)", Steady, SteadyMemory, "", []),
        new Row("a new address is missing", ["api.example.test A Answer 192.0.2.1,192.0.2.2,192.0.2.3", Steady[1]], SteadyMemory, "", ["missing-ip egress 192.0.2.3"]),
        new Row("an address inside a CIDR rule is admitted", ["api.example.test A Answer 192.0.2.1,192.0.2.2,198.51.100.7", Steady[1]], SteadyMemory, "", []),
        new Row("a rotating pool is learnt across runs", ["api.example.test A Answer 192.0.2.2", Steady[1]], [.. SteadyMemory, "api.example.test 192.0.2.1 1", "api.example.test 192.0.2.4 1"], "", ["missing-ip egress 192.0.2.4"]),
        new Row("an address gone for less than stale_after stays", ["api.example.test A Answer 192.0.2.2", Steady[1]], [.. SteadyMemory, "api.example.test 192.0.2.1 1.5"], "", []),
        new Row("an address gone for more than stale_after is stale", ["api.example.test A Answer 192.0.2.2", Steady[1]], [.. SteadyMemory, "api.example.test 192.0.2.1 3"], "", ["stale-ip egress 192.0.2.1"]),
        new Row("a CIDR nothing fell into for stale_after is stale", Steady, ["api.example.test 198.51.100.3 5", "partner.example.test 203.0.113.5 0"], "", ["stale-ip egress 198.51.100.0/28"]),
        new Row("NXDOMAIN after success freezes the host: failure, nothing stale", ["api.example.test A NxDomain", Steady[1]], [.. SteadyMemory, "api.example.test 192.0.2.1 3"], "", ["resolution-failed - api.example.test"]),
        new Row("SERVFAIL freezes the host too", ["api.example.test A ServFail", "api.example.test AAAA Answer", Steady[1]], [.. SteadyMemory, "api.example.test 192.0.2.1 3"], "", ["resolution-failed - api.example.test"]),
        new Row("a new IPv6 address is missing", [.. Steady, "api.example.test AAAA Answer 2001:db8::5"], SteadyMemory, "", ["missing-ip egress 2001:db8::5"]),
        new Row("a static partner resolving elsewhere has changed", [Steady[0], "partner.example.test A Answer 203.0.113.9"], SteadyMemory, "", ["static-ip-changed egress 203.0.113.9"]),
        new Row("memory shorter than stale_after proposes no removal", Steady, ["api.example.test since 1", "partner.example.test 203.0.113.5 0"], "", []),
        new Row("an ignore entry silences what it names", ["api.example.test A Answer 192.0.2.1,192.0.2.2,192.0.2.3", Steady[1]], SteadyMemory,
            "ignore:\n  - dependency: api\n    kind: missing-ip\n    subject: 192.0.2.3\n    reason: T1\n    expires: 2027-01-31\n", []),
        new Row("an expired ignore silences nothing and is a finding", ["api.example.test A Answer 192.0.2.1,192.0.2.2,192.0.2.3", Steady[1]], SteadyMemory,
            "ignore:\n  - dependency: api\n    kind: missing-ip\n    reason: T1\n    expires: 2026-11-01\n", ["missing-ip egress 192.0.2.3", "ignore-expired - p.yaml:26:5"]),
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_situation_gives_exactly_its_findings(Row row)
    {
        var policies = Parse(Policy + row.ExtraPolicy);
        var observations = Observations(row.Observed);
        var memory = Memory(row.Remembered).Remember(observations, Now);

        var findings = Diff(policies, observations, memory, Now);

        Assert.Equal(row.Expected.Order(), findings.Select(f => $"{f.Kind.ToWire()} {f.Allowlist ?? "-"} {f.Subject}").Order());
    }

    [Fact]
    public void A_missing_address_carries_what_each_server_said_and_points_at_the_rule()
    {
        var observations = Observations(["api.example.test A Answer 192.0.2.3"]);
        var findings = Diff(Parse(Policy), observations, DriftMemory.Empty.Remember(observations, Now), Now);

        var missing = Assert.Single(findings, f => f.Kind == FindingKind.MissingIp);
        Assert.Equal((Severity.High, FindingAction.PullRequest, "p.yaml:11:9"), (missing.Severity, missing.Action, missing.Location!.ToString()));
        var evidence = Assert.Single(missing.Evidence);
        Assert.Equal(("127.0.0.1:53", "api.example.test A 192.0.2.3", (uint?)60), (evidence.Source, evidence.Detail, evidence.Ttl));
    }

    [Fact]
    public void Nxdomain_is_high_and_other_failures_medium()
    {
        var nx = Diff(Parse(Policy), Observations(["api.example.test A NxDomain"]), DriftMemory.Empty, Now).Single();
        var timeout = Diff(Parse(Policy), Observations(["api.example.test A Timeout"]), DriftMemory.Empty, Now).Single();

        Assert.Equal((Severity.High, Severity.Medium), (nx.Severity, timeout.Severity));
        Assert.Equal(FindingAction.Issue, nx.Action);
    }

    /// <summary>The diff as a run makes it: hands-off decided once, passed to the diff, and silencing after it.</summary>
    internal static IReadOnlyList<Finding> Diff(PolicySet policies, ObservationSet observations, DriftMemory memory, DateTimeOffset now, Reconciler.Providers.ProviderKnowledge? providers = null)
    {
        var handsOff = HandsOff.Decide(policies, observations, now);
        return handsOff.Silence(DriftEngine.Diff(policies, observations, memory, now, handsOff, providers));
    }

    internal static PolicySet Parse(string yaml)
    {
        var result = PolicyParser.Parse([new PolicySource("p.yaml", yaml)]);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Policies!;
    }

    internal static ObservationSet Observations(IEnumerable<string> lines) => new(Now, ["127.0.0.1:53"], [.. lines.Select(line =>
    {
        var parts = line.Split(' ');
        var addresses = parts.Length > 3 ? parts[3].Split(',').Select(a => new ObservedAddress(a, 60)).ToList() : [];
        return new Observation(parts[0], parts[1], "127.0.0.1:53", Enum.Parse<DnsOutcome>(parts[2]), [], addresses, Now, 1);
    })]);

    /// <summary>
    /// The memory of a run every day for <paramref name="days"/> days up to <see cref="Now"/>, each seeing what
    /// <paramref name="observations"/> says: successful observation long enough to prove a removal.
    /// </summary>
    internal static DriftMemory Daily(ObservationSet observations, int days = 30, DriftMemory? start = null)
    {
        var memory = start ?? DriftMemory.Empty;
        for (var day = days; day >= 0; day--)
            memory = memory.Remember(observations, Now.AddDays(-day));
        return memory;
    }

    private static DriftMemory Memory(IEnumerable<string> lines)
    {
        var hosts = ImmutableSortedDictionary.CreateBuilder<string, HostMemory>(StringComparer.Ordinal);
        foreach (var parts in lines.Select(l => l.Split(' ')))
        {
            var host = hosts.GetValueOrDefault(parts[0]) ?? new HostMemory(Now.AddDays(-10), ImmutableSortedDictionary<string, AddressMemory>.Empty.WithComparers(StringComparer.Ordinal));
            hosts[parts[0]] = parts[1] == "since"
                ? host with { ObservedSince = Now.AddDays(-double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)) }
                : host with { Addresses = host.Addresses.SetItem(parts[1], new AddressMemory(Now.AddDays(-20), Now.AddDays(-double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)))) };
        }
        // Each host was looked up successfully, often enough, from its first observation until now, and its answers
        // carried all of its addresses: it does not rotate (ProofOfAbsenceTests and RotatingPoolTests have those).
        foreach (var (name, host) in hosts.ToList())
            hosts[name] = host with { Proven = [new ProvenSpan(host.ObservedSince, Now)], V4 = new AnswerSizes(1000, 1, 64), V6 = new AnswerSizes(1000, 1, 64) };
        return new DriftMemory(hosts.ToImmutable());
    }
}
