using System.Text.Json;
using Reconciler.Findings;
using Reconciler.Planning;

namespace Reconciler.Reports;

/// <summary>One line of the grouped view: an allowlist (or prefix set) and dependency, what changes, and where it goes.</summary>
public sealed record SummaryLine(string Where, string What, string Goes);

/// <summary>
/// The grouped view of a run for people, the same on the console, in report.md and in the job summary: one line per
/// allowlist and dependency (added, removed, held; pull request branch or issue), severity counts, and what is new,
/// unchanged or resolved since the last run. Pure.
/// </summary>
public sealed record RunSummary(
    IReadOnlyList<SummaryLine> Lines,
    IReadOnlyDictionary<string, int> BySeverity,
    int New,
    int Unchanged,
    int Resolved,
    bool HasPrevious)
{
    /// <summary>Lines of the grouped view on the console; the rest is counted (report.md has every one).</summary>
    public const int ConsoleLines = 15;

    public static RunSummary Of(Report report, ChangePlan? plan, IReadOnlySet<string>? previous)
    {
        var lines = new List<SummaryLine>();
        if (plan is not null)
        {
            foreach (var pr in plan.PullRequests)
            {
                var held = pr.Findings.Count(f => f.Action != FindingAction.PullRequest);
                var what = $"+{pr.Added.Count} −{pr.Removed.Count}{(held > 0 ? $", {held} held" : "")}";
                var where = pr.Allowlist == PrefixSetPlanner.PseudoAllowlist
                    ? $"prefix set {pr.Dependency} ({string.Join(", ", pr.Findings.Select(f => f.Dependency).Distinct())})"
                    : $"{pr.Allowlist} / {pr.Dependency}";
                lines.Add(new SummaryLine(where, what, pr.Failure is null ? $"PR {pr.Branch}" : $"not proposed: {pr.Failure}"));
            }
            foreach (var issue in plan.Issues)
                lines.Add(new SummaryLine(issue.Finding.Allowlist is { } a ? $"{a} / {issue.Finding.Dependency}" : issue.Finding.Dependency, issue.Finding.Kind.ToWire(), $"issue \"{issue.Title}\""));
        }
        // Held removals (kept because they are still in use, or over a safety threshold) go nowhere: say so.
        foreach (var held in report.Findings.Where(f => f.Action == FindingAction.None && f.Kind.Facts().Effect == FindingEffect.Remove)
            .GroupBy(f => (Where: f.PrefixSet is { } s ? $"prefix set {s}" : f.Allowlist ?? "", f.Dependency)))
        {
            var threshold = report.Findings.Any(f => f.Kind == FindingKind.RemovalHeld && f.Dependency == held.Key.Dependency
                && (f.PrefixSet is { } s ? $"prefix set {s}" : f.Allowlist ?? "") == held.Key.Where);
            lines.Add(new SummaryLine($"{held.Key.Where} / {held.Key.Dependency}", $"{held.Count()} held", threshold ? "kept: over the safety threshold (removal-held issue)" : "kept: not proven unused"));
        }
        if (plan is null)
        {
            foreach (var group in report.Findings.GroupBy(f => (f.Allowlist, f.Dependency, f.Kind)))
                lines.Add(new SummaryLine(group.Key.Allowlist is { } a ? $"{a} / {group.Key.Dependency}" : group.Key.Dependency, $"{group.Key.Kind.ToWire()} ×{group.Count()}", group.Max(f => f.Severity).ToWire()));
        }
        var now = report.Findings.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var before = previous ?? new HashSet<string>();
        return new RunSummary(
            lines,
            report.CountsBySeverity,
            now.Count(f => !before.Contains(f)),
            now.Count(before.Contains),
            before.Count(f => !now.Contains(f)),
            previous is not null);
    }

    /// <summary>The severity counts and the comparison with the last run, on one line.</summary>
    public string Counts()
    {
        var severities = string.Join(", ", BySeverity.Where(s => s.Value > 0).Select(s => $"{s.Value} {s.Key}"));
        var total = BySeverity.Values.Sum();
        var since = HasPrevious ? $"since the last run: {New} new, {Unchanged} unchanged, {Resolved} resolved" : "no earlier run to compare with";
        return $"{total} finding{(total == 1 ? "" : "s")}{(total == 0 ? "" : $" ({severities})")} · {since}";
    }

    /// <summary>The console's lines: the grouped view (capped), then the counts.</summary>
    public IEnumerable<string> ConsoleText()
    {
        foreach (var line in Lines.Take(ConsoleLines))
            yield return $"  {line.Where}: {line.What} → {line.Goes}";
        if (Lines.Count > ConsoleLines)
            yield return $"  … and {Lines.Count - ConsoleLines} more (report.md lists them all; --verbosity=verbose prints every finding)";
        yield return Counts();
    }

    /// <summary>The fingerprints of this run's findings, kept beside the state file for the next run's comparison.</summary>
    public static string FingerprintsJson(Report report) =>
        JsonSerializer.Serialize(new { schemaVersion = 1, at = report.Run.Now, fingerprints = report.Findings.Select(f => f.Fingerprint).Distinct().Order(StringComparer.Ordinal) }) + "\n";

    public static IReadOnlySet<string>? ReadFingerprints(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.GetProperty("fingerprints").EnumerateArray().Select(e => e.GetString()).OfType<string>().ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // an unreadable comparison file only costs the comparison
        }
    }
}
