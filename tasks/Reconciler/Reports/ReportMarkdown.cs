using System.Text;

namespace Reconciler.Reports;

/// <summary><c>report.md</c>: the same report for people, readable in thirty seconds; also the job summary in CI.</summary>
public static class ReportMarkdown
{
    public static string Write(Report report)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Reconciler {report.Run.Target}: {Headline(report)}").AppendLine();
        md.AppendLine($"Policies: `{report.Run.Policies}` ({report.Run.PolicyFiles.Count} files) · at {report.Run.Now:yyyy-MM-dd HH:mm} UTC · fail on `{report.Run.FailOn}` and above")
          .AppendLine();

        if (report.Findings.Count > 0)
        {
            md.AppendLine("| severity | kind | dependency | allowlist | subject | what to do |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var f in report.Findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Dependency, StringComparer.Ordinal).ThenBy(f => f.Kind))
                md.AppendLine($"| {f.Severity.ToString().ToLowerInvariant()} | `{f.Kind.ToWire()}` | {Cell(f.Dependency)} | {Cell(f.Allowlist ?? "")} | `{Cell(f.Subject)}` | {Cell(f.Message)} |");
            md.AppendLine();
        }

        if (report.Notes.Count > 0)
        {
            md.AppendLine("## Not checked in this run").AppendLine();
            foreach (var note in report.Notes)
                md.AppendLine($"- {note}");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static string Headline(Report report)
    {
        if (report.Findings.Count == 0)
            return "no drift";
        var bySeverity = report.CountsBySeverity.Where(c => c.Value > 0).Select(c => $"{c.Value} {c.Key}");
        return $"{report.Findings.Count} finding{(report.Findings.Count == 1 ? "" : "s")} ({string.Join(", ", bySeverity)})";
    }

    // A pipe or a line break would end the table cell early.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
