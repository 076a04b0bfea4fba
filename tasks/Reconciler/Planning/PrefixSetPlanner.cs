using System.Text;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Yaml;
using Reconciler.Engine;

namespace Reconciler.Planning;

/// <summary>
/// One pull request per prefix set that drifted from its provider's feed: the set's file gains and loses one line per
/// prefix, in address order, and the body names the allowlists that admit the set. Pure.
/// </summary>
public static class PrefixSetPlanner
{
    /// <summary>What stands for the allowlist in a set's pull request; no allowlist can have this name (names have no '_').</summary>
    public const string PseudoAllowlist = "prefix_sets";

    private const int BodyRows = 60;

    public static IEnumerable<PlannedPullRequest> Drafts(PolicySet policies, IReadOnlyList<Finding> findings, DriftMemory? memory = null, DateTimeOffset? now = null)
    {
        var bySet = findings.Where(f => f.PrefixSet is not null && f.Action == FindingAction.PullRequest).GroupBy(f => f.PrefixSet!).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in bySet)
        {
            if (policies.FindPrefixSet(group.Key) is not { } set)
                continue;
            var list = group.ToList();
            var added = list.Where(f => f.Kind.Facts().Effect == FindingEffect.Add).Select(f => f.Subject).Distinct().OrderBy(a => a, AddressOrder.Instance).ToList();
            var removed = list.Where(f => f.Kind.Facts().Effect == FindingEffect.Remove).Select(f => Planner.Canonical(f.Subject)).Distinct().OrderBy(a => a, AddressOrder.Instance).ToList();
            var users = PrefixSetDrift.UsersOf(policies, set.Name);
            var title = Title(set, users, added.Count, removed.Count);
            List<string> labels = ["reconciler", "allowlist", "prefix-set", .. list.Select(f => f.Kind.ToWire()).Distinct()];
            var file = set.Location.File;
            var none = new Dictionary<string, IReadOnlyList<TextEdit>>();
            if (policies.Sources.GetValueOrDefault(file) is not { } text)
            {
                var failure = $"the text of {file} is not loaded";
                yield return new PlannedPullRequest(PseudoAllowlist, set.Name, title, Body(set, users, added, removed, list, memory, policies, now, failure), labels, added, removed, none, "", list, failure);
                continue;
            }
            var edits = Edits(text, set, added, removed);
            var diff = UnifiedDiff.FromEdits(policies.RepositoryPathOf(file), text, new LineIndex(text), edits);
            yield return new PlannedPullRequest(PseudoAllowlist, set.Name, title, Body(set, users, added, removed, list, memory, policies, now, null), labels, added, removed,
                new Dictionary<string, IReadOnlyList<TextEdit>> { [file] = edits }, diff, list);
        }
    }

    private static List<TextEdit> Edits(string text, PrefixSet set, List<string> added, List<string> removed)
    {
        var written = added.Select(Quoted).ToList();
        if (set.PrefixesList is { IsFlow: false } list && set.Prefixes.Count > 0)
        {
            var items = set.Prefixes.Select(p => (Value: Networks.Format(p.Value), Span: new TextSpan(p.Start, p.End))).ToList();
            var gone = items.Select((x, i) => (x.Value, i)).Where(x => removed.Contains(x.Value)).Select(x => x.i).ToHashSet();
            var edits = new List<TextEdit>();
            if (gone.Count > 0)
                edits.AddRange(YamlTextEdits.Remove(text, list, [.. items.Select(x => x.Span)], gone));
            if (written.Count > 0)
                edits.AddRange(YamlBlockLists.InsertInOrder(text, items, written, new UnquotedOrder()));
            return edits;
        }
        var kept = set.Prefixes.Select(p => Networks.Format(p.Value)).Where(p => !removed.Contains(p)).Concat(added).Distinct().OrderBy(p => p, AddressOrder.Instance).Select(Quoted).ToList();
        if (set.PrefixesList is { } flow)
            return [YamlBlockLists.RewriteAsBlock(text, flow, kept)];
        var end = text.IndexOf('\n', set.Span.End) is var n and >= 0 ? (n > 0 && text[n - 1] == '\r' ? n - 1 : n) : text.Length;
        var indent = new string(' ', set.Location.Column - 1);
        return [new TextEdit(end, end, "\n" + indent + "prefixes:" + string.Concat(kept.Select(k => "\n" + indent + "  - " + k)))];
    }

    // Quoted when it holds a colon: valid plain YAML 1.2, but YAML 1.1 tools may read 1:2 as a base-60 number.
    private static string Quoted(string prefix) => prefix.Contains(':', StringComparison.Ordinal) ? $"\"{prefix}\"" : prefix;

    private sealed class UnquotedOrder : IComparer<string>
    {
        public int Compare(string? x, string? y) => AddressOrder.Instance.Compare(x?.Trim('"'), y?.Trim('"'));
    }

    private static string Title(PrefixSet set, IReadOnlyList<(Allowlist Allowlist, AllowlistRule Rule)> users, int added, int removed)
    {
        var change = string.Join(" and ", new[] { added > 0 ? $"add {added}" : null, removed > 0 ? $"remove {removed}" : null }.OfType<string>());
        var allowlists = users.Select(u => u.Allowlist.Name).Distinct().ToList();
        var usedBy = allowlists.Count == 0 ? "" : allowlists.Count <= 3 ? $" ({string.Join(", ", allowlists)})" : $" ({string.Join(", ", allowlists.Take(2))} and {allowlists.Count - 2} more allowlists)";
        var follow = set.Provider is { } provider ? $" to follow the {provider.Name} feed" : "";
        return $"{set.Name}: {change} prefix{(added + removed == 1 ? "" : "es")}{follow}{usedBy}";
    }

    private static string Body(PrefixSet set, IReadOnlyList<(Allowlist Allowlist, AllowlistRule Rule)> users, List<string> added, List<string> removed, List<Finding> findings, DriftMemory? memory, PolicySet policies, DateTimeOffset? now, string? failure)
    {
        var body = new StringBuilder();
        // A report planned again after its set stopped following a provider (the merged report of shards) names none.
        body.AppendLine(set.Provider is { } provider
            ? $"Reconciler keeps the prefix set `{set.Name}` in step with what {PrefixSetDrift.Describe(provider)} publishes."
            : $"The prefix set `{set.Name}` follows no provider now; this change comes from a report planned when it did.");
        body.AppendLine($"The feed changed by {added.Count} added and {removed.Count} removed prefixes; the diff has one prefix per line.").AppendLine();
        if (failure is not null)
            body.AppendLine($"> **Not proposed:** {failure}").AppendLine();
        body.AppendLine("It changes what these allowlists admit:").AppendLine();
        foreach (var (allowlist, rule) in users)
            body.AppendLine($"- `{allowlist.Name}` for `{rule.Dependency}` (`{rule.Location}`)");
        if (users.Count == 0)
            body.AppendLine("- none yet: no rule names this set");
        body.AppendLine();
        body.AppendLine("| change | prefix |").AppendLine("| --- | --- |");
        var rows = added.Select(a => ("add", a)).Concat(removed.Select(r => ("remove", r))).ToList();
        foreach (var (change, prefix) in rows.Take(BodyRows))
            body.AppendLine($"| {change} | `{prefix}` |");
        if (rows.Count > BodyRows)
            body.AppendLine($"| … | {rows.Count - BodyRows} more: see the diff |");
        body.AppendLine();
        if (memory is not null && now is { } at)
        {
            var hosts = users.Select(u => policies.FindDependency(u.Rule.Dependency)).OfType<Dependency>().SelectMany(d => d.Hosts.Select(h => h.Value)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (AddressTimeline.Mermaid(memory, hosts, at, $"Addresses seen for {set.Name}'s hosts") is { } chart)
                body.AppendLine("Addresses its hosts were seen at (first and last seen):").AppendLine().Append(chart).AppendLine();
        }
        var held = findings.Count(f => f.Action != FindingAction.PullRequest);
        body.AppendLine($"Prefixes still in use are kept{(held > 0 ? $" ({held} held)" : "")}; report.json has the evidence of every line.");
        body.AppendLine($"<!-- reconciler:pull-request prefix-set={set.Name} -->");
        body.Append(FindingsMarker.Of(findings));
        return body.ToString();
    }
}
