namespace Reconciler.Reports;

/// <summary><c>report.md</c>: the same report for people, readable in thirty seconds; also the job summary in CI.</summary>
public static class ReportMarkdown
{
    public static string Write(Report report)
    {
        using var text = new StringWriter();
        WriteTo(text, report);
        return text.ToString();
    }

    public static void WriteTo(TextWriter md, Report report)
    {
        md.WriteLine($"# Reconciler {report.Run.Target}: {Headline(report)}");
        md.WriteLine();
        md.WriteLine($"Policies: `{report.Run.Policies}` ({report.Run.PolicyFiles.Count} files) · at {report.Run.Now:yyyy-MM-dd HH:mm} UTC · fail on `{report.Run.FailOn}` and above");
        md.WriteLine();

        if (report.Findings.Count > 0)
        {
            md.WriteLine("| severity | kind | dependency | allowlist | subject | what to do |");
            md.WriteLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var f in report.Findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Dependency, StringComparer.Ordinal).ThenBy(f => f.Kind))
                md.WriteLine($"| {f.Severity.ToString().ToLowerInvariant()} | `{f.Kind.ToWire()}` | {Cell(f.Dependency)} | {Cell(f.Allowlist ?? "")} | `{Cell(f.Subject)}` | {Cell(f.Message)} |");
            md.WriteLine();
        }

        if (report.Notes.Count > 0)
        {
            md.WriteLine("## Not checked in this run");
            md.WriteLine();
            foreach (var note in report.Notes)
                md.WriteLine($"- {note}");
            md.WriteLine();
        }
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
