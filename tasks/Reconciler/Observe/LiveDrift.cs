using System.Text.RegularExpressions;
using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Render;

namespace Reconciler.Observe;

/// <summary>
/// Compares what hosts really run (<c>--live</c>: <c>HOST.iptables</c> from iptables-save, <c>HOST.ip6tables</c>,
/// <c>HOST.ipset</c> from ipset save, <c>HOST.squid</c> for the include in use) with what the YAML renders.
/// A host admits an address when an ACCEPT rule of the allowlist's chain matches the set that holds it on the
/// same ports. A host without dumps is reported as not checked, never as fine.
/// </summary>
public static partial class LiveDrift
{
    public static ObserverResult Compare(PolicySet policies, IReadOnlyDictionary<string, string> dumps)
    {
        var findings = new List<Finding>();
        var notes = new List<string>();
        foreach (var allowlist in policies.Allowlists)
        {
            foreach (var host in allowlist.Hosts)
            {
                if (allowlist.Kind == AllowlistKind.Iptables && (dumps.ContainsKey(host + ".iptables") || dumps.ContainsKey(host + ".ipset")))
                    findings.AddRange(CompareIptables(IptablesRenderer.Render(policies, allowlist), host, dumps));
                else if (allowlist.Kind == AllowlistKind.Proxy && dumps.TryGetValue(host + ".squid", out var squid))
                    findings.AddRange(CompareSquid(SquidRenderer.Render(policies, allowlist), host, squid));
                else
                    notes.Add($"live rules of {host} ({allowlist.Name}) not checked: no dump for it in --live");
            }
        }
        return new ObserverResult(findings, notes);
    }

    private static IEnumerable<Finding> CompareIptables(IptablesRendering rendering, string host, IReadOnlyDictionary<string, string> dumps)
    {
        var sets = ParseIpsets(dumps.GetValueOrDefault(host + ".ipset") ?? "");
        var accepted = new Dictionary<int, Dictionary<string, string>>
        {
            [4] = AcceptedSets(dumps.GetValueOrDefault(host + ".iptables") ?? "", rendering.Chain),
            [6] = AcceptedSets(dumps.GetValueOrDefault(host + ".ip6tables") ?? "", rendering.Chain),
        };
        foreach (var byDependency in rendering.Sets.Where(s => s.Family == 4 || dumps.ContainsKey(host + ".ip6tables")).GroupBy(s => s.Dependency))
        {
            var missing = new List<string>();
            var extra = new List<string>();
            foreach (var set in byDependency)
            {
                var admitted = accepted[set.Family].GetValueOrDefault(set.Name) == string.Join(',', set.Ports) ? sets.GetValueOrDefault(set.Name) ?? [] : [];
                missing.AddRange(set.Entries.Where(e => !admitted.Contains(e)));
                extra.AddRange(admitted.Where(e => !set.Entries.Contains(e)));
            }
            if (Drift(host, rendering.Allowlist, byDependency.Key, missing, extra, byDependency.First().Location) is { } finding)
                yield return finding;
        }
        // Sets the chain still accepts that the YAML no longer renders: a dependency removed, but not from this host.
        var rendered = rendering.Sets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in accepted.Values.SelectMany(a => a.Keys).Where(n => !rendered.Contains(n)).Distinct())
        {
            if (Drift(host, rendering.Allowlist, orphan, [], [.. sets.GetValueOrDefault(orphan) ?? []], null) is { } finding)
                yield return finding;
        }
    }

    private static IEnumerable<Finding> CompareSquid(SquidRendering rendering, string host, string include)
    {
        var live = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var match in AclLine().Matches(include).Cast<Match>())
            live[match.Groups[1].Value] = [.. match.Groups[3].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        foreach (var byDependency in rendering.Acls.Where(a => a.Type != "port").GroupBy(a => a.Dependency))
        {
            var missing = byDependency.SelectMany(a => a.Values.Where(v => !(live.GetValueOrDefault(a.Name)?.Contains(v) ?? false))).ToList();
            var extra = byDependency.SelectMany(a => (live.GetValueOrDefault(a.Name) ?? []).Where(v => !a.Values.Contains(v))).ToList();
            if (Drift(host, rendering.Allowlist, byDependency.Key, missing, extra, null) is { } finding)
                yield return finding;
        }
    }

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

    /// <summary><c>add SET ENTRY</c> lines of ipset save, entries written as the renderer writes them.</summary>
    private static Dictionary<string, HashSet<string>> ParseIpsets(string save)
    {
        var sets = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var fields in save.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 3 && f[0] == "add"))
        {
            var entry = Networks.TryParse(fields[2], out var network, out _) ? Networks.Format(network) : fields[2];
            if (!sets.TryGetValue(fields[1], out var entries))
                sets[fields[1]] = entries = [];
            entries.Add(entry);
        }
        return sets;
    }

    /// <summary>The sets an ACCEPT rule of the chain matches, with the ports it opens ("443" or "80,443").</summary>
    private static Dictionary<string, string> AcceptedSets(string save, string chain)
    {
        var accepted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in save.Split('\n').Where(l => l.StartsWith($"-A {chain} ", StringComparison.Ordinal) && l.Contains("-j ACCEPT", StringComparison.Ordinal)))
        {
            var set = MatchSet().Match(line);
            var ports = Ports().Match(line);
            if (set.Success && ports.Success)
                accepted[set.Groups[1].Value] = string.Join(',', ports.Groups[1].Value.Split(',').Select(int.Parse).Order());
        }
        return accepted;
    }

    [GeneratedRegex(@"--match-set (\S+) dst")]
    private static partial Regex MatchSet();

    [GeneratedRegex(@"--dports? (\S+)")]
    private static partial Regex Ports();

    [GeneratedRegex(@"^acl (\S+) (dstdomain|dst)(?: -n)? (.*)$", RegexOptions.Multiline)]
    private static partial Regex AclLine();
}
