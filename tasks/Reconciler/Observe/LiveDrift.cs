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

    /// <summary>
    /// Compares per family and port what the live admissions take with what the rendered sets hold, as sets of
    /// addresses (<see cref="AddressSet"/>): a host firewall lists the same addresses in its own words (nft merges
    /// overlapping and adjacent elements into wider prefixes and ranges), and only an address one side admits and the
    /// other does not is drift.
    /// </summary>
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
            var ofFamily = sets.Where(s => s.Set.Family == family).ToList();
            var entries = ofFamily.ToDictionary(s => s.Set, s => AddressSet.Of(family, Parsed(s.Set.Entries)));
            var admitted = new Dictionary<int, AddressSet>();
            var rendered = new Dictionary<int, AddressSet>();
            // What the host admits on the port, whichever of its rules admits it.
            AddressSet Admitted(int port) => admitted.TryGetValue(port, out var known) ? known : admitted[port] =
                tcp.Any(a => a.Kind == AdmissionKind.Everything && OnPort(a, port)) ? AddressSet.All(family)
                    : AddressSet.Of(family, tcp.Where(a => OnPort(a, port)).SelectMany(a => a.Networks));
            // What the policies admit on the port, whichever set holds it.
            AddressSet Rendered(int port) => rendered.TryGetValue(port, out var known) ? known : rendered[port] =
                ofFamily.Where(s => s.Set.Ports.Contains(port)).Aggregate(AddressSet.Empty(family), (all, s) => all.Union(entries[s.Set]));

            var missed = new Dictionary<(string Allowlist, string Dependency), AddressSet>();
            foreach (var (rendering, set) in ofFamily)
            {
                foreach (var port in set.Ports)
                    Join(missed, (rendering.Allowlist, set.Dependency), entries[set].Except(Admitted(port)));
            }
            foreach (var (key, addresses) in missed)
                Add(missing, key, addresses);

            var kept = new Dictionary<(string Allowlist, string Dependency), AddressSet>();
            foreach (var admission in tcp)
            {
                if (admission.Kind == AdmissionKind.Everything)
                {
                    beyond.Add(new Evidence($"{admission.Location.File}:{admission.Location.Line}", $"any destination: {admission.Why} ({string.Join(" > ", admission.Path)})"));
                    continue;
                }
                var networks = AddressSet.Of(family, admission.Networks);
                var expanded = PortRanges.Expand(admission.Ports, MostPortsChecked);
                List<(AddressSet Networks, string Ports)> beyondOn = expanded is null
                    ? (networks.IsEmpty ? [] : [(Networks: networks, Ports: PortRanges.Describe(admission.Ports))])
                    : expanded.Select(p => (Port: p, Beyond: networks.Except(Rendered(p)))).Where(p => !p.Beyond.IsEmpty)
                        .GroupBy(p => p.Beyond.ToString(), StringComparer.Ordinal)
                        .Select(g => (Networks: g.First().Beyond, Ports: Ports([.. g.Select(p => p.Port)]))).ToList();
                if (beyondOn.Count == 0)
                    continue;
                // Addresses in a rendered set, on the set's own ports: the set kept old entries (an old deploy).
                var ownSet = admission.Set is { } name ? sets.FirstOrDefault(s => s.Set.Name == name) : default;
                if (ownSet is { Set: { } own, Rendering: { } ownRendering } && expanded is not null && expanded.SequenceEqual(own.Ports.Order()))
                {
                    foreach (var (addresses, _) in beyondOn)
                        Join(kept, (ownRendering.Allowlist, own.Dependency), addresses);
                    continue;
                }
                foreach (var (addresses, ports) in beyondOn)
                {
                    foreach (var network in addresses.Networks())
                    {
                        beyond.Add(new Evidence($"{admission.Location.File}:{admission.Location.Line}",
                            $"{Networks.Format(network)} on {ports}{(admission.Set is null ? "" : $" (set {admission.Set})")} ({string.Join(" > ", admission.Path)})"));
                    }
                }
            }
            foreach (var (key, addresses) in kept)
                Add(extra, key, addresses);
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

    private static IEnumerable<IPNetwork> Parsed(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            if (Networks.TryParse(entry, out var network, out _))
                yield return network;
        }
    }

    private static bool OnPort(Admission admission, int port) => admission.Ports is null || admission.Ports.Any(r => r.Contains(port));

    private static void Join(Dictionary<(string, string), AddressSet> map, (string, string) key, AddressSet addresses)
    {
        if (!addresses.IsEmpty)
            map[key] = map.TryGetValue(key, out var known) ? known.Union(addresses) : addresses;
    }

    private static void Add(Dictionary<(string, string), List<string>> map, (string, string) key, AddressSet addresses)
    {
        foreach (var network in addresses.Networks())
            Add(map, key, Networks.Format(network));
    }

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
