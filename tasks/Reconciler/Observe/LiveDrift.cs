using System.Net;
using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Render;
using Reconciler.Rulesets;

namespace Reconciler.Observe;

/// <summary>
/// Compares what hosts really run (<c>--live</c>, README "Live drift of the whole ruleset") with what the YAML renders,
/// over the whole ruleset: the host's OUTPUT path is walked (<see cref="OutputPath"/>, the parser Import uses too), so
/// an address admitted ahead of Reconciler's hook counts as admitted, and anything admitted beyond the policies (an
/// extra accept, a missing final reject or hook, <c>http_access allow all</c>) is drift. A host without dumps is
/// reported as not checked, never as fine.
/// </summary>
public static class LiveDrift
{
    /// <summary>Ports of one live rule checked one by one; a wider range is beyond the policies as a whole.</summary>
    private const int MostPortsChecked = 1024;

    /// <summary>How each allowlist kind's live rules are read and compared, registered here once; a kind without a row is refused.</summary>
    private static readonly IReadOnlyDictionary<AllowlistKind, Func<PolicySet, List<Allowlist>, IReadOnlyDictionary<string, string>, List<string>, IEnumerable<Finding>>> Readers =
        new Dictionary<AllowlistKind, Func<PolicySet, List<Allowlist>, IReadOnlyDictionary<string, string>, List<string>, IEnumerable<Finding>>>
        {
            [AllowlistKind.Iptables] = IptablesHosts,
            [AllowlistKind.Proxy] = SquidHosts,
            [AllowlistKind.Nftables] = NftablesHosts,
        };

    public static IReadOnlyCollection<AllowlistKind> KindsRead => [.. Readers.Keys];

    public static ObserverResult Compare(PolicySet policies, IReadOnlyDictionary<string, string> dumps)
    {
        var findings = new List<Finding>();
        var notes = new List<string>();
        foreach (var facts in AllowlistKinds.All)
        {
            var allowlists = policies.Allowlists.Where(a => a.Kind == facts.Kind).ToList();
            if (allowlists.Count == 0)
                continue;
            var reader = Readers.GetValueOrDefault(facts.Kind) ?? throw new InvalidOperationException($"allowlist kind {facts.Name} has no live-drift reader in LiveDrift");
            findings.AddRange(reader(policies, allowlists, dumps, notes));
        }
        return new ObserverResult(findings, notes);
    }

    private static IEnumerable<Finding> IptablesHosts(PolicySet policies, List<Allowlist> ofKind, IReadOnlyDictionary<string, string> dumps, List<string> notes)
    {
        foreach (var host in ofKind.SelectMany(a => a.Hosts).Distinct(StringComparer.Ordinal))
        {
            var allowlists = ofKind.Where(a => a.Hosts.Contains(host)).ToList();
            if (HostRuleset.Read(host, dumps) is not { } live)
            {
                notes.AddRange(allowlists.Select(a => $"live rules of {host} ({a.Name}) not checked: no dump for it in --live"));
                continue;
            }
            notes.AddRange(live.Notes);
            var renderings = allowlists.Select(a => IptablesRenderer.Render(policies, a)).Select(r => new HostSets(r.Allowlist, r.Sets)).ToList();
            foreach (var finding in CompareSets(host, renderings, live, "the rendered chain"))
                yield return finding;
        }
    }

    private static IEnumerable<Finding> NftablesHosts(PolicySet policies, List<Allowlist> ofKind, IReadOnlyDictionary<string, string> dumps, List<string> notes)
    {
        foreach (var host in ofKind.SelectMany(a => a.Hosts).Distinct(StringComparer.Ordinal))
        {
            var renderings = ofKind.Where(a => a.Hosts.Contains(host)).Select(a => NftablesRenderer.Render(policies, a)).ToList();
            if (HostRuleset.ReadNftables(host, dumps, [.. renderings.Select(r => r.Table)]) is not { } live)
            {
                notes.AddRange(renderings.Select(r => $"live rules of {host} ({r.Allowlist}) not checked: no dump for it in --live"));
                continue;
            }
            notes.AddRange(live.Notes);
            // Set names are the table's own: qualified by it, as the reader names the sets it meets.
            var sets = renderings.Select(r => new HostSets(r.Allowlist, [.. r.Sets.Select(s => s with { Name = $"{r.Table}.{s.Name}" })])).ToList();
            foreach (var finding in CompareSets(host, sets, live, "the rendered table"))
                yield return finding;
        }
    }

    private static IEnumerable<Finding> SquidHosts(PolicySet policies, List<Allowlist> ofKind, IReadOnlyDictionary<string, string> dumps, List<string> notes)
    {
        foreach (var allowlist in ofKind)
        {
            foreach (var host in allowlist.Hosts)
            {
                if (dumps.TryGetValue(host + HostRuleset.Squid, out var squid))
                {
                    foreach (var finding in CompareSquid(SquidRenderer.Render(policies, allowlist), host, SquidConfig.Parse(host + HostRuleset.Squid, squid), notes))
                        yield return finding;
                }
                else
                    notes.Add($"live rules of {host} ({allowlist.Name}) not checked: no dump for it in --live");
            }
        }
    }

    /// <summary>The address sets one allowlist renders for a host firewall, named as the host's dump names them.</summary>
    private sealed record HostSets(string Allowlist, IReadOnlyList<RenderedSet> Sets);

    private sealed record Rendered(RenderedSet Set, IPNetwork Network);

    private static IEnumerable<Finding> CompareSets(string host, List<HostSets> renderings, HostRuleset live, string deploy)
    {
        var sets = renderings.SelectMany(r => r.Sets.Select(s => (Rendering: r, Set: s))).ToList();
        var missing = new Dictionary<(string Allowlist, string Dependency), List<string>>();
        var extra = new Dictionary<(string Allowlist, string Dependency), List<string>>();
        var beyond = new List<Evidence>();
        foreach (var (family, admissions) in new[] { (4, live.V4), (6, live.V6) })
        {
            if (admissions is null)
                continue;
            var tcp = admissions.Where(a => a.CoversTcp && a.Kind is AdmissionKind.Destinations or AdmissionKind.Everything).ToList();
            var rendered = sets.Where(s => s.Set.Family == family)
                .SelectMany(s => s.Set.Entries.Select(e => Networks.TryParse(e, out var n, out _) ? new Rendered(s.Set, n) : null).OfType<Rendered>()).ToList();
            foreach (var (rendering, set) in sets.Where(s => s.Set.Family == family))
            {
                foreach (var entry in set.Entries)
                {
                    if (Networks.TryParse(entry, out var network, out _) && !set.Ports.All(p => tcp.Any(a => Admits(a, network, p))))
                        Add(missing, (rendering.Allowlist, set.Dependency), entry);
                }
            }
            foreach (var admission in tcp)
            {
                if (admission.Kind == AdmissionKind.Everything)
                {
                    beyond.Add(new Evidence($"{admission.Location.File}:{admission.Location.Line}", $"any destination: {admission.Why} ({string.Join(" > ", admission.Path)})"));
                    continue;
                }
                var ownSet = admission.Set is { } name ? sets.FirstOrDefault(s => s.Set.Name == name) : default;
                var expanded = PortRanges.Expand(admission.Ports, MostPortsChecked);
                foreach (var network in admission.Networks)
                {
                    var uncovered = expanded is null ? null : expanded.Where(p => !rendered.Any(r => r.Set.Ports.Contains(p) && Networks.Covers(r.Network, network))).ToList();
                    if (uncovered is { Count: 0 })
                        continue;
                    // An entry of a rendered set on the set's own ports: the set kept an old entry (an old deploy).
                    if (ownSet is { Set: { } own, Rendering: { } ownRendering } && expanded is not null && expanded.SequenceEqual(own.Ports.Order()))
                        Add(extra, (ownRendering.Allowlist, own.Dependency), Networks.Format(network));
                    else
                        beyond.Add(new Evidence($"{admission.Location.File}:{admission.Location.Line}",
                            $"{Networks.Format(network)} on {(uncovered is null ? PortRanges.Describe(admission.Ports) : Ports(uncovered))}{(admission.Set is null ? "" : $" (set {admission.Set})")} ({string.Join(" > ", admission.Path)})"));
                }
            }
        }
        foreach (var key in missing.Keys.Union(extra.Keys).Distinct().OrderBy(k => k.Allowlist, StringComparer.Ordinal).ThenBy(k => k.Dependency, StringComparer.Ordinal))
        {
            var location = sets.First(s => s.Rendering.Allowlist == key.Allowlist && s.Set.Dependency == key.Dependency).Set.Location;
            if (Drift(host, key.Allowlist, key.Dependency, missing.GetValueOrDefault(key) ?? [], extra.GetValueOrDefault(key) ?? [], location) is { } finding)
                yield return finding;
        }
        // An nft rule of both families (a missing reject) is met by each family's walk: one piece of evidence.
        if (beyond.Count > 0)
            yield return Beyond(host, renderings.Select(r => r.Allowlist).ToList(), [.. beyond.Distinct()], deploy);
    }

    /// <summary>Whether the live admission takes new TCP connections to every address of the network on the port.</summary>
    private static bool Admits(Admission admission, IPNetwork network, int port) =>
        admission.Kind == AdmissionKind.Everything
        || (admission.Networks.Any(n => Networks.Covers(n, network)) && (admission.Ports is null || admission.Ports.Any(r => r.Contains(port))));

    private static IEnumerable<Finding> CompareSquid(SquidRendering rendering, string host, SquidConfigDump config, List<string> notes)
    {
        notes.AddRange(config.Problems.Select(p => $"{p} (line ignored)"));
        var renderedAcls = rendering.Acls.Where(a => a.Type != "port").ToList();
        var renderedValues = renderedAcls.SelectMany(a => a.Values).Select(Normal).ToHashSet(StringComparer.Ordinal);
        var allowed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var beyond = new List<Evidence>();
        foreach (var admission in SquidAllowed.Of(config))
        {
            var at = $"{admission.Location.File}:{admission.Location.Line}";
            if (admission.Everything)
            {
                beyond.Add(new Evidence(at, $"http_access allow {string.Join(' ', admission.Narrowed.DefaultIfEmpty("all"))}: any destination"));
                continue;
            }
            foreach (var acl in admission.Destinations)
            {
                foreach (var value in acl.Values.Select(Normal))
                {
                    if (!allowed.TryGetValue(value, out var names))
                        allowed[value] = names = [];
                    names.Add(acl.Name);
                }
            }
        }
        foreach (var byDependency in renderedAcls.GroupBy(a => a.Dependency))
        {
            var own = byDependency.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
            var values = byDependency.SelectMany(a => a.Values).Select(Normal).ToList();
            var missing = values.Where(v => !allowed.ContainsKey(v)).ToList();
            var extra = allowed.Where(kv => !renderedValues.Contains(kv.Key) && kv.Value.Any(own.Contains)).Select(kv => kv.Key).ToList();
            if (Drift(host, rendering.Allowlist, byDependency.Key, missing, extra, null) is { } finding)
                yield return finding;
        }
        var ownNames = renderedAcls.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (value, names) in allowed.Where(kv => !renderedValues.Contains(kv.Key) && !kv.Value.Any(ownNames.Contains)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            beyond.Add(new Evidence(host + HostRuleset.Squid, $"{value} (acl {string.Join(", ", names.Distinct())})"));
        if (beyond.Count > 0)
            yield return Beyond(host, [rendering.Allowlist], beyond, "the rendered include");
    }

    private static string Normal(string value) => value.ToLowerInvariant();

    private static string Ports(List<int> ports)
    {
        var ranges = new List<PortRange>();
        foreach (var port in ports)
        {
            if (ranges.Count > 0 && ranges[^1].To == port - 1)
                ranges[^1] = ranges[^1] with { To = port };
            else
                ranges.Add(new PortRange(port, port));
        }
        return PortRanges.Describe(ranges);
    }

    private static void Add(Dictionary<(string, string), List<string>> map, (string, string) key, string value)
    {
        if (!map.TryGetValue(key, out var list))
            map[key] = list = [];
        if (!list.Contains(value))
            list.Add(value);
    }

    /// <summary>Traffic the host admits that no policy does: one finding per host, each rule that admits it as evidence.</summary>
    private static Finding Beyond(string host, List<string> allowlists, List<Evidence> evidence, string what) => new()
    {
        Kind = FindingKind.LiveRuleDrift,
        Severity = Severity.High,
        Dependency = allowlists[0],
        Allowlist = allowlists[0],
        Host = host,
        Subject = host,
        Message = $"{host} admits traffic beyond what {string.Join(", ", allowlists)} render{(allowlists.Count == 1 ? "s" : "")}: {string.Join("; ", evidence.Take(5).Select(e => $"{e.Detail} at {e.Source}"))}{(evidence.Count > 5 ? $"; and {evidence.Count - 5} more" : "")}. Remove it from the host (or declare it in the policies), then deploy {what}.",
        Action = FindingAction.Issue,
        Evidence = evidence,
    };

    private static Finding? Drift(string host, string allowlist, string dependency, List<string> missing, List<string> extra, Diagnostics.SourceLocation? location)
    {
        if (missing.Count == 0 && extra.Count == 0)
            return null;
        var parts = new List<string>();
        if (missing.Count > 0)
            parts.Add($"does not admit {string.Join(", ", missing.Order(StringComparer.Ordinal))} (traffic to {(missing.Count == 1 ? "it" : "them")} is refused)");
        if (extra.Count > 0)
            parts.Add($"still admits {string.Join(", ", extra.Order(StringComparer.Ordinal))}");
        return new Finding
        {
            Kind = FindingKind.LiveRuleDrift,
            Severity = missing.Count > 0 ? Severity.High : Severity.Medium,
            Dependency = dependency,
            Allowlist = allowlist,
            Host = host,
            Subject = host,
            Message = $"{host} {string.Join(" and ", parts)}, unlike what {allowlist} renders for {dependency}: deploy the rendered rules to it.",
            Action = FindingAction.Issue,
            Evidence = [.. missing.Select(m => new Evidence(host, $"missing {m}")), .. extra.Select(e => new Evidence(host, $"extra {e}"))],
            Location = location,
        };
    }
}
