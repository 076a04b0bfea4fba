using Reconciler.Observe;
using Reconciler.Findings;
using Reconciler.Diagnostics;
using Reconciler.Dns.Resolution;
using Reconciler.Engine;
using Reconciler.Policies.Model;

namespace Reconciler.Tests.Engine;

/// <summary>
/// <see cref="HandsOff"/> as tables, the way dnscontrol tests its hands-off pre-pass: what the diff must not touch,
/// decided from this run's observations and the policies' ignores before any diff runs.
/// </summary>
public sealed class HandsOffTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Hosts = ["api.example.test", "www.example.test"];

    /// <summary>"host server outcome" (type A), one line per sample.</summary>
    private static ObservationSet Observed(IEnumerable<string> lines) => new(Now, ["s1", "s2"], [.. lines.Select(line =>
    {
        var parts = line.Split(' ');
        var outcome = Enum.Parse<DnsOutcome>(parts[2]);
        return new Observation(parts[0], "A", parts[1], outcome, [], outcome == DnsOutcome.Answer ? [new ObservedAddress("192.0.2.1", 60)] : [], Now, 1);
    })]);

    private static PolicySet Policies(params IgnoreEntry[] ignores) => new()
    {
        Files = ["p.yaml"],
        Dependencies = [],
        Identities = [],
        Allowlists = [],
        Ignores = ignores,
        Settings = PolicySettings.Default,
    };

    public sealed record FrozenRow(string Situation, string[] Observed, string[] Frozen)
    {
        public override string ToString() => Situation;
    }

    public static TheoryData<FrozenRow> FrozenRows() =>
    [
        new FrozenRow("every server answers: nothing is frozen", ["api.example.test s1 Answer", "api.example.test s2 Answer"], []),
        new FrozenRow("NOERROR without records is an answer", ["api.example.test s1 NoData", "api.example.test s2 Answer"], []),
        new FrozenRow("NXDOMAIN freezes the host", ["api.example.test s1 NxDomain"], ["api.example.test"]),
        new FrozenRow("SERVFAIL at one server freezes it though the other answers", ["api.example.test s1 ServFail", "api.example.test s2 Answer"], ["api.example.test"]),
        new FrozenRow("REFUSED freezes it", ["api.example.test s1 Refused", "api.example.test s2 Answer"], ["api.example.test"]),
        new FrozenRow("a server that never replies did not answer: the one that did decides", ["api.example.test s1 Timeout", "api.example.test s1 Timeout", "api.example.test s2 Answer"], []),
        new FrozenRow("a server that answered one sample and not the next is not trusted", ["api.example.test s1 Answer", "api.example.test s1 Timeout", "api.example.test s2 Answer"], ["api.example.test"]),
        new FrozenRow("no server replied at all: frozen", ["api.example.test s1 Timeout", "api.example.test s2 Timeout"], ["api.example.test"]),
        new FrozenRow("a host nobody asked (another shard's) is not frozen", [], []),
        new FrozenRow("each host on its own", ["api.example.test s1 Answer", "www.example.test s1 NxDomain"], ["www.example.test"]),
        new FrozenRow("a host's name in any case is the host", ["API.Example.Test s1 NxDomain"], ["api.example.test"]),
    ];

    [Theory]
    [MemberData(nameof(FrozenRows))]
    public void Hosts_are_frozen_by_this_runs_verdict(FrozenRow row)
    {
        var handsOff = HandsOff.Decide(Policies(), Observed(row.Observed), Now);

        Assert.Equal(row.Frozen, Hosts.Where(handsOff.IsFrozen));
        Assert.Equal(row.Frozen, Hosts.Where(h => handsOff.IsFrozen(h.ToUpperInvariant())));
    }

    public sealed record RemovalRow(string Situation, bool Pinned, string[] Observed, bool MayRemove)
    {
        public override string ToString() => Situation;
    }

    public static TheoryData<RemovalRow> RemovalRows() =>
    [
        new RemovalRow("an unpinned rule of hosts that resolve may lose addresses", false, ["api.example.test s1 Answer", "www.example.test s1 Answer"], true),
        new RemovalRow("a pinned rule never does", true, ["api.example.test s1 Answer", "www.example.test s1 Answer"], false),
        new RemovalRow("one frozen host of the dependency holds every rule of it", false, ["api.example.test s1 Answer", "www.example.test s1 ServFail"], false),
        new RemovalRow("a pinned rule of a frozen host: still no", true, ["api.example.test s1 NxDomain"], false),
        new RemovalRow("hosts nobody asked freeze nothing (the removal proof wants successful runs anyway)", false, [], true),
    ];

    [Theory]
    [MemberData(nameof(RemovalRows))]
    public void Removals_wait_for_pinned_rules_and_frozen_hosts(RemovalRow row)
    {
        var at = new SourceLocation("p.yaml", 1, 1);
        var dependency = new Dependency { Name = "api", Hosts = [.. Hosts.Select(h => new Located<string>(h, at, 0, 0))], Ports = [443], Location = at };
        var rule = new AllowlistRule { Dependency = "api", Ports = [], Destinations = [], Domains = [], Pinned = row.Pinned, Location = at };

        var handsOff = HandsOff.Decide(Policies(), Observed(row.Observed), Now);

        Assert.Equal(row.MayRemove, handsOff.MayRemoveFrom(rule, dependency));
    }

    public sealed record IgnoreRow(string Situation, string[] Ignores, string Finding, bool Silenced)
    {
        public override string ToString() => Situation;
    }

    /// <summary>Ignores as "dependency kind subject expires", <c>*</c> for a key the entry leaves out (it then matches any); findings as "dependency kind subject".</summary>
    public static TheoryData<IgnoreRow> IgnoreRows() =>
    [
        new IgnoreRow("all three named and matching", ["gmc-api user-agent-risk Java/1.8.0_292 2027-01-31"], "gmc-api user-agent-risk Java/1.8.0_292", true),
        new IgnoreRow("a dependency alone silences every kind and subject of it", ["gmc-api * * 2027-01-31"], "gmc-api missing-ip 192.0.2.3", true),
        new IgnoreRow("and nothing of another dependency", ["gmc-api * * 2027-01-31"], "portal missing-ip 192.0.2.3", false),
        new IgnoreRow("a kind alone silences it in every dependency", ["* user-agent-risk * 2027-01-31"], "portal user-agent-risk Java/1.8.0_292", true),
        new IgnoreRow("and no other kind", ["* user-agent-risk * 2027-01-31"], "portal probe-blocked 127.0.0.2", false),
        new IgnoreRow("a subject alone silences every finding about it", ["* * 192.0.2.3 2027-01-31"], "api stale-ip 192.0.2.3", true),
        new IgnoreRow("the subject is matched whole, not as a prefix", ["* * 192.0.2.3 2027-01-31"], "api missing-ip 192.0.2.30", false),
        new IgnoreRow("dependency and kind matching are not enough when the subject differs", ["gmc-api user-agent-risk Java/1.8.0_292 2027-01-31"], "gmc-api user-agent-risk Java/11", false),
        new IgnoreRow("dependency and subject matching are not enough when the kind differs", ["api missing-ip 192.0.2.3 2027-01-31"], "api stale-ip 192.0.2.3", false),
        new IgnoreRow("kind and subject matching are not enough when the dependency differs", ["api missing-ip 192.0.2.3 2027-01-31"], "www missing-ip 192.0.2.3", false),
        new IgnoreRow("any one of several ignores is enough", ["api stale-ip * 2027-01-31", "* * 192.0.2.3 2027-01-31"], "www missing-ip 192.0.2.3", true),
        new IgnoreRow("an ignore expiring today still silences", ["api * * 2026-11-23"], "api missing-ip 192.0.2.3", true),
        new IgnoreRow("an expired ignore silences nothing", ["api * * 2026-11-22"], "api missing-ip 192.0.2.3", false),
        new IgnoreRow("an expired ignore beside an active one that does not match: nothing", ["api * * 2026-11-22", "api stale-ip * 2027-01-31"], "api missing-ip 192.0.2.3", false),
    ];

    [Theory]
    [MemberData(nameof(IgnoreRows))]
    public void Ignores_silence_what_they_name_until_they_expire(IgnoreRow row)
    {
        var handsOff = HandsOff.Decide(Policies([.. row.Ignores.Select(Ignore)]), Observed([]), Now);

        Assert.Equal(row.Silenced, handsOff.Silences(FindingOf(row.Finding)));
    }

    public sealed record ExpiryRow(string Situation, DateTimeOffset Now, string Expires, string Decided)
    {
        public override string ToString() => Situation;
    }

    public static TheoryData<ExpiryRow> ExpiryRows() =>
    [
        new ExpiryRow("the first second of its last day", new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), "2026-11-23", "silences"),
        new ExpiryRow("the last second of its last day", new(2026, 11, 23, 23, 59, 59, TimeSpan.Zero), "2026-11-23", "silences"),
        new ExpiryRow("midnight UTC after its last day: expired", new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), "2026-11-23", "expired"),
        new ExpiryRow("the day is UTC's: 01:00 at +02:00 is still its last day", new(2026, 11, 24, 1, 0, 0, TimeSpan.FromHours(2)), "2026-11-23", "silences"),
        new ExpiryRow("and 23:00 at -05:00 on its last day is already the next", new(2026, 11, 23, 23, 0, 0, TimeSpan.FromHours(-5)), "2026-11-23", "expired"),
        new ExpiryRow("a year later it is still expired, and said so", new(2027, 11, 23, 12, 0, 0, TimeSpan.Zero), "2026-11-23", "expired"),
    ];

    [Theory]
    [MemberData(nameof(ExpiryRows))]
    public void An_ignore_expires_on_the_UTC_day_boundary_and_is_then_told_not_silent(ExpiryRow row)
    {
        var ignore = Ignore($"api * * {row.Expires}");

        var handsOff = HandsOff.Decide(Policies(ignore), Observed([]), row.Now);

        var silences = handsOff.Silences(FindingOf("api missing-ip 192.0.2.3"));
        var expired = handsOff.Expired.Contains(ignore);
        Assert.Equal(row.Decided, (silences, expired) switch
        {
            (true, false) => "silences",
            (false, true) => "expired",
            _ => $"silences={silences} expired={expired}: an ignore is one or the other",
        });
    }

    private static IgnoreEntry Ignore(string text)
    {
        var parts = text.Split(' ');
        string? Any(string part) => part == "*" ? null : part;
        return new IgnoreEntry
        {
            Dependency = Any(parts[0]),
            Kind = Any(parts[1]),
            Subject = Any(parts[2]),
            Reason = "T1",
            Expires = DateOnly.ParseExact(parts[3], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Location = new SourceLocation("p.yaml", 1, 1),
        };
    }

    private static Finding FindingOf(string text)
    {
        var parts = text.Split(' ');
        return new Finding
        {
            Dependency = parts[0],
            Kind = FindingKinds.TryParse(parts[1], out var kind) ? kind : throw new ArgumentException($"'{parts[1]}' is not a finding kind"),
            Subject = parts[2],
            Severity = Severity.High,
            Message = "",
            Action = FindingAction.None,
        };
    }
}
