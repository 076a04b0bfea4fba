using Reconciler.Policies.Validation;
using System.Text;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Policies.Model;
using Reconciler.Engine;
using Reconciler.Files;

namespace Reconciler.Planning;

/// <summary>
/// One issue per dependency and kind of drift: a probe that fails at four addresses of a pool is one issue listing the
/// four, not four issues. Its fingerprint is stable whatever the addresses, so a pool that changes updates the issue.
/// Titles read as sentences; evidence is listed once. Pure.
/// </summary>
public static class IssueGrouping
{
    /// <summary>Evidence lines in an issue body; the rest is counted (report.json has them all).</summary>
    private const int EvidenceLines = 30;

    /// <summary>No line a person reads in an issue or pull request is longer (GitHub's views wrap or cut longer ones).</summary>
    public const int LongestLine = 300;

    /// <summary>What the folded part of one list may hold, so that a body stays well under GitHub's 65,536 characters.</summary>
    private const int FoldedCharacters = 12_000;

    public static List<PlannedIssue> Plan(PolicySet policies, IReadOnlyList<Finding> findings, DriftMemory? memory, DateTimeOffset? now) =>
        [.. findings.Where(f => f.Action == FindingAction.Issue)
            .GroupBy(f => (f.Kind, f.Dependency))
            .OrderBy(g => g.Key.Dependency, StringComparer.Ordinal).ThenBy(g => g.Key.Kind)
            .Select(g => Issue(policies, Merge(policies, [.. g]), [.. g], memory, now))];

    /// <summary>The group as one finding: the highest severity, every subject, evidence once each.</summary>
    private static Finding Merge(PolicySet policies, List<Finding> group)
    {
        if (group.Count == 1 && !PerAddress(group[0].Kind))
            return group[0];
        var first = group[0];
        var subjects = group.Select(f => f.Subject).Distinct().OrderBy(s => s, AddressOrder.Instance).ToList();
        // Stable for the dependency and kind: the addresses may change from run to run, the issue stays.
        var subject = first.Kind.Facts().Issue.HasFlag(IssueParts.ProbeUrlSubject) && first.DependencyIn(policies)?.Probe is { } probe ? probe.Url.ToString() : first.Dependency;
        return first with
        {
            Severity = group.Max(f => f.Severity),
            Subject = subject,
            Allowlist = group.Select(f => f.Allowlist).Distinct().Count() == 1 ? first.Allowlist : null,
            Host = group.Select(f => f.Host).Distinct().Count() == 1 ? first.Host : null,
            Message = group.Count == 1 ? first.Message : $"{Summary(first.Kind, subjects)}. {first.Message}",
            Evidence = [.. group.SelectMany(f => f.Evidence.Select(e => e with { Detail = subjects.Count > 1 && !e.Detail.Contains(f.Subject, StringComparison.Ordinal) ? $"{f.Subject}: {e.Detail}" : e.Detail })).DistinctBy(e => (e.Source, e.Detail))],
        };
    }

    /// <summary>Kinds found once per address or host: their issues are keyed by the dependency (or probe URL), never by one address.</summary>
    private static bool PerAddress(FindingKind kind) => kind.Facts().Grouping != IssueKey.PerSubject;

    private static string Summary(FindingKind kind, List<string> subjects) =>
        $"{subjects.Count} {kind.Facts().Grouping switch { IssueKey.PerHost => "hosts", IssueKey.PerAddress => "addresses", _ => "subjects" }} ({TitleParts.FewOf(subjects)})";

    /// <summary>What the issue is about, as a sentence a person reads in a list of issues: its kind's row words it.</summary>
    public static string Title(Finding merged, IReadOnlyList<Finding> group)
    {
        var subjects = group.Select(f => f.Subject).Distinct().OrderBy(s => s, AddressOrder.Instance).ToList();
        var parts = new TitleParts(merged.Kind, merged.Dependency, merged.Host, merged.Subject, subjects, merged.Allowlist, merged.PrefixSet, group[0].Waf);
        // A title is plain text on GitHub, but it is one line.
        var sentence = Diagnostics.ControlCharacters.Escape(merged.Kind.Facts().Title(parts));
        return sentence.Length <= 120 ? sentence : sentence[..119] + "…";
    }

    private static PlannedIssue Issue(PolicySet policies, Finding merged, List<Finding> group, DriftMemory? memory, DateTimeOffset? now)
    {
        var body = new StringBuilder();
        body.AppendLine(Markdown.Text(merged.Message)).AppendLine();
        body.AppendLine($"- kind: `{merged.Kind.ToWire()}`, severity: **{merged.Severity.ToWire()}**");
        var allowlists = group.Select(f => f.Allowlist).OfType<string>().Distinct().ToList();
        body.AppendLine($"- dependency: {Markdown.Code(merged.Dependency)}{(allowlists.Count == 0 ? "" : $", allowlist{(allowlists.Count == 1 ? "" : "s")}: {string.Join(", ", allowlists.Select(Markdown.Code))}")}{(merged.Host is null ? "" : $", host: {Markdown.Code(merged.Host)}")}");
        if (merged.Location is not null)
            body.AppendLine($"- policy: {Markdown.Code(merged.Location.ToString())}");
        var owning = merged.DependencyIn(policies);
        if (Planner.OwnerLine(owning?.Owner, mention: true) is { } owner)
            body.AppendLine($"- owner: {owner}");
        if (group.Count > 1)
        {
            body.AppendLine().AppendLine("Each of them:").AppendLine();
            Folded(body, [.. group.OrderBy(f => f.Subject, AddressOrder.Instance).Select(f => $"- {Markdown.Code(f.Subject)}: {Markdown.Text(f.Message)}")]);
        }
        var parts = merged.Kind.Facts().Issue;
        if (parts.HasFlag(IssueParts.CdnAdvice) && CdnAdvice.For(policies, merged) is { } advice)
            body.AppendLine().Append(advice);
        if (memory is not null && now is { } at && parts.HasFlag(IssueParts.AddressTimeline) && owning is { } dependency
            && AddressTimeline.Mermaid(memory, [.. dependency.Hosts.Select(h => h.Value)], at, $"Addresses seen for {dependency.Name}") is { } chart)
            body.AppendLine().AppendLine("Addresses seen (first and last seen):").AppendLine().Append(chart);
        if (merged.Evidence.Count > 0)
        {
            body.AppendLine().AppendLine("Evidence:").AppendLine();
            Folded(body, [.. merged.Evidence.Select(e => $"- {Markdown.Text(e.Source)}: {Markdown.Text(e.Detail)}{(e.ObservedAt is { } seen ? $" at {seen:yyyy-MM-dd HH:mm:ss}Z" : "")}")]);
        }
        body.AppendLine().AppendLine($"<!-- reconciler:fingerprint={merged.Fingerprint} -->");
        body.Append(FindingsMarker.Of(group));
        return new PlannedIssue(merged, Title(merged, group), Markdown.Wrap(body.ToString(), LongestLine),
            ["reconciler", merged.Kind.ToWire(), "severity:" + merged.Severity.ToWire()]) { OwnedByDependency = owning?.Name };
    }

    /// <summary>
    /// A list whose first <see cref="EvidenceLines"/> items show and the rest fold into <c>&lt;details&gt;</c>, up to
    /// <see cref="FoldedCharacters"/> (GitHub refuses a body over 65,536 characters); only past that is a count left.
    /// </summary>
    private static void Folded(StringBuilder body, List<string> items)
    {
        foreach (var item in items.Take(EvidenceLines))
            body.AppendLine(item);
        if (items.Count <= EvidenceLines)
            return;
        body.AppendLine().AppendLine($"<details><summary>{items.Count - EvidenceLines} more</summary>").AppendLine();
        var written = 0;
        var shown = EvidenceLines;
        foreach (var item in items.Skip(EvidenceLines))
        {
            if (written + item.Length > FoldedCharacters)
                break;
            body.AppendLine(item);
            written += item.Length + 1;
            shown++;
        }
        if (shown < items.Count)
            body.AppendLine($"- and {items.Count - shown} more (report.json has them all)");
        body.AppendLine().AppendLine("</details>");
    }
}
