using System.Text;
using Reconciler.Files;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Yaml;

namespace Reconciler.Planning;

/// <summary>
/// Turns findings into the changes that end them: YAML edits grouped per allowlist and dependency (each checked by
/// parsing and validating the edited policies again), and issues for what a human must handle. Pure.
/// </summary>
public static class Planner
{
    /// <summary>Rows of a pull request's table and of its evidence; the rest is counted.</summary>
    private const int BodyRows = 60;

    /// <param name="suggestions">Advice per dependency (e.g. to track its provider), added to its pull requests.</param>
    /// <param name="memory">The drift memory, for the timeline of addresses seen in pull requests and issues; none without it.</param>
    public static ChangePlan Plan(PolicySet policies, IReadOnlyList<Finding> findings, IReadOnlyDictionary<string, string>? suggestions = null, DriftMemory? memory = null, DateTimeOffset? now = null)
    {
        var lookups = new PlanLookups(policies);
        var drafts = findings
            .Where(f => f.Action == FindingAction.PullRequest && f.Allowlist is not null)
            .GroupBy(f => (Allowlist: f.Allowlist!, f.Dependency))
            .OrderBy(g => g.Key.Allowlist, StringComparer.Ordinal).ThenBy(g => g.Key.Dependency, StringComparer.Ordinal)
            .Select(g => Draft(policies, g.Key.Allowlist, g.Key.Dependency, [.. g], lookups))
            .Concat(PrefixSetPlanner.Drafts(policies, findings, memory, now))
            .ToList();
        var failures = Validate(policies, drafts);
        var pullRequests = drafts.Select(pr => Finished(pr, failures.GetValueOrDefault(pr.Branch), policies, suggestions, memory, now, lookups)).ToList();
        var issues = IssueGrouping.Plan(policies, findings, memory, now);
        return new ChangePlan(pullRequests, issues);
    }

    /// <summary>
    /// Every edit is parsed and validated again before it is proposed. The pull requests' edits touch different rules,
    /// so one parse checks them all; only when that fails is each checked alone, to tell the broken ones apart.
    /// </summary>
    private static Dictionary<string, string> Validate(PolicySet policies, List<PlannedPullRequest> drafts)
    {
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        string? Check(IEnumerable<PlannedPullRequest> prs)
        {
            var edits = prs.SelectMany(p => p.Edits).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToList());
            var check = PolicyParser.Parse([.. policies.Sources.Select(s => new PolicySource(s.Key, edits.TryGetValue(s.Key, out var e) ? YamlTextEdits.Apply(s.Value, e) : s.Value, policies.RepositoryPathOf(s.Key)))]);
            return check.IsValid ? null : "the edited policies do not validate: " + string.Join("; ", check.Errors.Take(3));
        }
        var candidates = drafts.Where(d => d.Failure is null && d.Edits.Count > 0).ToList();
        foreach (var draft in drafts.Where(d => d.Failure is not null))
            failures[draft.Branch] = draft.Failure!;
        if (candidates.Count == 0)
            return failures;
        if (Check(candidates) is not null)
        {
            foreach (var draft in candidates)
            {
                if (Check([draft]) is { } failure)
                    failures[draft.Branch] = failure;
            }
        }
        CollectTheCheckedCopy(policies);
        return failures;
    }

    /// <summary>Characters of policy text from which an estate is large enough for <see cref="CollectTheCheckedCopy"/>: a few thousand dependencies.</summary>
    private const long LargeEstate = 2_000_000;

    /// <summary>
    /// A check parses the whole estate a second time. Of a large estate that copy is tens of megabytes, and it has lived
    /// long enough to reach the oldest generation, which the runtime collects seldom: the bodies and diffs made next
    /// would grow the heap around it, and a run of 10,000 dependencies peaked about 50 MB higher. It is collected now.
    /// </summary>
    private static void CollectTheCheckedCopy(PolicySet policies)
    {
        if (policies.Sources.Values.Sum(text => (long)text.Length) >= LargeEstate)
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>
    /// An allowlist's pull request without its body and diff: those are made once its edits are known to validate, so
    /// that a large estate's thousands of bodies are neither held through the check nor made twice.
    /// </summary>
    private static PlannedPullRequest Draft(PolicySet policies, string allowlistName, string dependency, List<Finding> findings, PlanLookups index)
    {
        var added = findings.Where(f => f.Kind.Facts().Effect == FindingEffect.Add).Select(f => f.Subject).Distinct().OrderBy(a => a, AddressOrder.Instance).ToList();
        // Quoted when it holds a colon: valid plain YAML 1.2, but YAML 1.1 tools may read 1:2 as a base-60 number.
        var written = added.Select(a => a.Contains(':', StringComparison.Ordinal) ? $"\"{a}\"" : a).ToList();
        // Compared with each destination as Networks.Format writes it, as the removal gate judged it: "192.0.2.7/32" is 192.0.2.7.
        var removed = findings.Where(f => f.Kind.Facts().Effect == FindingEffect.Remove).Select(f => Canonical(f.Subject)).Distinct().OrderBy(a => a, AddressOrder.Instance).ToList();
        var rules = index.Rules(allowlistName, dependency);
        var file = rules[0].Location.File;
        var title = Title(allowlistName, dependency, added.Count, removed.Count);
        List<string> labels = ["reconciler", "allowlist", .. findings.Select(f => f.Kind.ToWire()).Distinct()];
        var none = new Dictionary<string, IReadOnlyList<TextEdit>>();
        if (policies.Sources.GetValueOrDefault(file) is not { } text)
            return new PlannedPullRequest(allowlistName, dependency, title, "", labels, added, removed, none, "", findings, $"the text of {file} is not loaded");
        return new PlannedPullRequest(allowlistName, dependency, title, "", labels, added, removed,
            new Dictionary<string, IReadOnlyList<TextEdit>> { [file] = Edits(text, rules, written, removed) }, "", findings);
    }

    /// <summary>
    /// The pull request as proposed: with its body (the advice and the timeline of addresses in it) and its diff, or,
    /// when its edit does not validate, with the failure and no edit at all. A prefix set's pull request comes with
    /// its own body and diff (<see cref="PrefixSetPlanner"/>), which only the advice follows.
    /// </summary>
    private static PlannedPullRequest Finished(PlannedPullRequest pr, string? failure, PolicySet policies, IReadOnlyDictionary<string, string>? suggestions, DriftMemory? memory, DateTimeOffset? now, PlanLookups index)
    {
        // What owns it says whose owner, advice and timeline it carries: a prefix set's has none of a dependency's, whatever their names.
        var dependency = pr.Findings.Select(f => f.Owner).FirstOrDefault() is { Kind: OwnerKind.Dependency } owner ? index.DependencyNamed(owner.Name) : null;
        var advice = dependency is null ? null : suggestions?.GetValueOrDefault(dependency.Name);
        pr = pr with { OwnedByDependency = dependency?.Name };
        var suggestion = advice is null ? "" : "\n> **Suggestion:** " + advice + "\n";
        if (pr.Allowlist == PrefixSetPlanner.PseudoAllowlist && failure is null)
            return advice is null ? pr : pr with { Body = pr.Body + suggestion };
        var timeline = Timeline(dependency, memory, now);
        var body = PullRequestBody(pr.Allowlist, pr.Dependency, [.. pr.Added], [.. pr.Removed], [.. pr.Findings], failure, dependency?.Owner, timeline, suggestion);
        if (failure is not null)
            return pr with { Failure = failure, Diff = "", Edits = new Dictionary<string, IReadOnlyList<TextEdit>>(), Body = body };
        var (file, edits) = pr.Edits.Single();
        var diff = UnifiedDiff.FromEdits(policies.RepositoryPathOf(file), policies.Sources[file], index.Lines(file, policies.Sources[file]), edits);
        return pr with { Body = body, Diff = diff };
    }

    /// <summary>What drafting looks up once per pull request, indexed once per plan: an estate has thousands of each.</summary>
    private sealed class PlanLookups(PolicySet policies)
    {
        private readonly Dictionary<string, ILookup<string, AllowlistRule>> _rules = new(StringComparer.Ordinal);
        private readonly Dictionary<string, LineIndex> _lines = new(StringComparer.Ordinal);
        private Dictionary<string, Dependency>? _dependencies;

        public List<AllowlistRule> Rules(string allowlist, string dependency)
        {
            if (!_rules.TryGetValue(allowlist, out var byDependency))
                _rules[allowlist] = byDependency = policies.FindAllowlist(allowlist)!.Rules.ToLookup(r => r.Dependency, StringComparer.Ordinal);
            return [.. byDependency[dependency]];
        }

        /// <summary>As <see cref="PolicySet.FindDependency"/>: the first of the name.</summary>
        public Dependency? DependencyNamed(string name)
        {
            if (_dependencies is null)
            {
                _dependencies = new Dictionary<string, Dependency>(StringComparer.Ordinal);
                foreach (var dependency in policies.Dependencies)
                    _dependencies.TryAdd(dependency.Name, dependency);
            }
            return _dependencies.GetValueOrDefault(name);
        }

        public LineIndex Lines(string file, string text)
        {
            if (!_lines.TryGetValue(file, out var lines))
                _lines[file] = lines = new LineIndex(text);
            return lines;
        }
    }

    /// <summary>
    /// Additions go to the rule <see cref="AdditionReceiver"/> names; removals to wherever each destination is, except
    /// a pinned rule, which never loses one (README "How Plan decides"): a destination it shares with another rule
    /// leaves only the other.
    /// </summary>
    private static List<TextEdit> Edits(string text, List<AllowlistRule> rules, List<string> added, List<string> removed)
    {
        var edits = new List<TextEdit>();
        foreach (var rule in rules.Where(r => r.DestinationsList is not null && !r.Pinned))
        {
            var items = rule.Destinations.Select(d => new TextSpan(d.Start, d.End)).ToList();
            var gone = rule.Destinations.Select((d, i) => (Subject: Networks.Format(d.Value), i)).Where(x => removed.Contains(x.Subject)).Select(x => x.i).ToHashSet();
            if (gone.Count > 0)
                edits.AddRange(YamlTextEdits.Remove(text, rule.DestinationsList!, items, gone));
        }
        if (added.Count == 0)
            return edits;
        var target = AdditionReceiver.Of(rules)!;
        if (target.DestinationsList is { } list && (list.IsFlow || target.Destinations.Count > 0))
        {
            // New items follow the last item that stays, so that they are never inside a line that goes.
            var items = target.Destinations.Where(d => !removed.Contains(Networks.Format(d.Value))).Select(d => new TextSpan(d.Start, d.End)).ToList();
            if (items.Count == 0 && !list.IsFlow)
                items = [.. target.Destinations.Select(d => new TextSpan(d.Start, d.End))];
            // A flow list that also loses items is rewritten whole by Remove: add to that rewrite instead.
            var rewrite = edits.FirstOrDefault(e => e.Start == list.Start && e.End == list.End);
            if (rewrite is not null)
            {
                edits.Remove(rewrite);
                var inner = rewrite.Replacement[1..^1];
                edits.Add(rewrite with { Replacement = "[" + (inner.Length == 0 ? "" : inner + ", ") + string.Join(", ", added) + "]" });
            }
            else if (list.IsFlow && YamlBlockLists.TooLongForFlow(text, list, [.. Kept(text, target, removed), .. added]))
            {
                // The whole list is written again: what it loses is left out of the rewrite, not cut by edits of its own.
                edits.RemoveAll(e => e.Start < list.End && e.End > list.Start);
                edits.Add(YamlBlockLists.RewriteAsBlock(text, list, [.. Kept(text, target, removed), .. added]));
            }
            else
            {
                edits.Add(YamlTextEdits.Append(text, list, items, added));
            }
        }
        else
        {
            edits.Add(YamlTextEdits.AddKey(text, target.Span, target.Location.Column, "destinations", added));
        }
        return edits;
    }

    /// <summary>A destination as <see cref="Networks.Format"/> writes it; what does not parse as it is (it matches nothing).</summary>
    internal static string Canonical(string subject) => Networks.TryParse(subject, out var network, out _) ? Networks.Format(network) : subject;

    /// <summary>The rule's destinations as written, less those the plan removes.</summary>
    private static IEnumerable<string> Kept(string text, AllowlistRule rule, List<string> removed) =>
        rule.Destinations.Where(d => !removed.Contains(Networks.Format(d.Value))).Select(d => text[d.Start..d.End]);

    private static string Title(string allowlist, string dependency, int added, int removed)
    {
        var parts = new List<string>();
        if (added > 0)
            parts.Add($"admit {added} new address{(added == 1 ? "" : "es")}");
        if (removed > 0)
            parts.Add($"remove {removed} address{(removed == 1 ? "" : "es")}");
        return $"{allowlist}: {string.Join(" and ", parts)} of {dependency}";
    }

    /// <param name="timeline">The chart of addresses seen, before the marker line; <paramref name="suggestion"/> follows that line.</param>
    private static string PullRequestBody(string allowlist, string dependency, List<string> added, List<string> removed, List<Finding> findings, string? failure, string? owner, string? timeline = null, string suggestion = "")
    {
        var body = new StringBuilder();
        body.AppendLine($"Reconciler found that {Markdown.Code(allowlist)} no longer matches what DNS and the provider feeds say of {Markdown.Code(dependency)}.").AppendLine();
        if (failure is not null)
            body.AppendLine($"> **Not proposed:** {Markdown.Text(failure)}").AppendLine();
        // GitHub refuses a body over 65,536 characters; a provider's whole range list can be longer. The diff has it all.
        var ordered = findings.OrderBy(f => f.Kind).ThenBy(f => f.Subject, AddressOrder.Instance).ToList();
        body.AppendLine("| change | address | why |").AppendLine("| --- | --- | --- |");
        foreach (var finding in ordered.Take(BodyRows))
            body.AppendLine($"| {(finding.Kind.Facts().Effect == FindingEffect.Add ? "add" : "remove")} | {Markdown.CodeCell(finding.Subject)} | {Markdown.Cell(finding.Message)} |");
        if (ordered.Count > BodyRows)
            body.AppendLine($"| … | {ordered.Count - BodyRows} more | see the diff |");
        body.AppendLine().AppendLine("<details><summary>Evidence</summary>").AppendLine();
        var lines = ordered.SelectMany(f => f.Evidence.Select(e => (f.Subject, Evidence: e))).ToList();
        foreach (var (subject, evidence) in lines.Take(BodyRows))
            body.AppendLine($"- {Markdown.Code(subject)}: {Markdown.Text(evidence.Source)} said {Markdown.Text(evidence.Detail)}{(evidence.ObservedAt is { } at ? $" at {at:yyyy-MM-dd HH:mm:ss}Z" : "")}{(evidence.Ttl is { } ttl ? $" (TTL {ttl} s)" : "")}");
        if (lines.Count > BodyRows)
            body.AppendLine($"- and {lines.Count - BodyRows} more (report.json has them all)");
        body.AppendLine().AppendLine("</details>").AppendLine();
        body.Append(FindingsMarker.Of(findings));
        // Repository-relative: the publisher links each to its line on GitHub.
        foreach (var location in findings.Select(f => f.Location).OfType<Diagnostics.SourceLocation>().Distinct().OrderBy(l => l.File, StringComparer.Ordinal).ThenBy(l => l.Line))
            body.AppendLine($"Policy: {Markdown.Code(location.ToString())}");
        if (OwnerLine(owner, mention: false) is { } named)
            body.AppendLine($"Owner: {named}");
        body.AppendLine($"Pinned rules are never changed. Added: {added.Count}, removed: {removed.Count}.");
        if (timeline is not null)
            body.Append("\nAddresses seen (first and last seen):\n\n").Append(timeline).Append('\n');
        body.AppendLine($"<!-- reconciler:pull-request allowlist={allowlist} dependency={dependency} -->");
        return body.Append(suggestion).ToString();
    }

    /// <summary>
    /// How a body names the owner: a team handle is mentioned (it is how a team learns of an issue); a login is asked
    /// or assigned by the publisher instead, so it is written as code, not as a second notification. Free text that is
    /// no handle is data: it is written as code, and so mentions and links nothing.
    /// </summary>
    internal static string? OwnerLine(string? owner, bool mention) =>
        owner is null ? null
        : OwnerHandle.Of(owner) is { } handle ? (mention && handle.IsTeam ? handle.ToString() : Markdown.Code(handle.ToString()))
        : Markdown.Code(owner);

    /// <summary>A dependency that rotates (more addresses remembered than rules admitted before) shows in its pull requests when each was seen.</summary>
    private static string? Timeline(Dependency? dependency, DriftMemory? memory, DateTimeOffset? now)
    {
        if (memory is null || now is not { } at || dependency is null)
            return null;
        var hosts = dependency.Hosts.Select(h => h.Value).ToList();
        return hosts.Sum(h => memory.Find(h)?.Addresses.Count ?? 0) < 2 ? null : AddressTimeline.Mermaid(memory, hosts, at, $"Addresses seen for {dependency.Name}");
    }
}
