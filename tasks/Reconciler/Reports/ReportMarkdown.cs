using System.Text;
using Reconciler.Files;
using Reconciler.Findings;

namespace Reconciler.Reports;

/// <summary>
/// <c>report.md</c>: the same report for people, readable in thirty seconds; also the job summary in CI. It leads with
/// the grouped view, keeps the list of findings collapsed, and stays under GitHub's 1 MiB limit for a job summary.
/// </summary>
public static class ReportMarkdown
{
    /// <summary>GitHub refuses a job summary over 1 MiB (and fails the step); stop the details well before it.</summary>
    public const int MostBytes = 900 * 1024;

    public static string Write(Report report, RunSummary? summary = null)
    {
        using var text = new StringWriter();
        WriteTo(text, report, summary);
        return text.ToString();
    }

    public static void WriteTo(TextWriter writer, Report report, RunSummary? summary = null)
    {
        var md = new CappedWriter(writer);
        md.Line($"# Reconciler {report.Run.Target}: {Headline(report)}");
        md.Line();
        md.Line($"Policies: {Markdown.Code(report.Run.Policies)} ({report.Run.PolicyFiles.Count} files) · at {report.Run.Now:yyyy-MM-dd HH:mm} UTC · fail on `{report.Run.FailOn}` and above");
        md.Line();
        if (summary is not null)
        {
            md.Line(summary.Counts());
            md.Line();
            if (summary.Lines.Count > 0)
            {
                md.Line("| where | what | goes to |");
                md.Line("| --- | --- | --- |");
                for (var i = 0; i < summary.Lines.Count; i++)
                {
                    var line = summary.Lines[i];
                    if (!md.Fits(2 * 1024))
                    {
                        md.Line($"| … | {summary.Lines.Count - i} more | {Truncated} |");
                        break;
                    }
                    md.Line($"| {Markdown.Cell(line.Where)} | {Markdown.Cell(line.What)} | {Markdown.Cell(line.Goes)} |");
                }
                md.Line();
            }
        }

        if (report.Findings.Count > 0)
        {
            md.Line($"<details><summary>All {report.Findings.Count} findings</summary>");
            md.Line();
            md.Line("| severity | kind | dependency | allowlist | subject | what to do |");
            md.Line("| --- | --- | --- | --- | --- | --- |");
            var ordered = report.Findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Dependency, StringComparer.Ordinal).ThenBy(f => f.Kind).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                var f = ordered[i];
                if (!md.Fits(16 * 1024))
                {
                    md.Line($"| … | {ordered.Count - i} more | | | | {Truncated} |");
                    break;
                }
                md.Line($"| {f.Severity.ToWire()} | `{f.Kind.ToWire()}` | {Markdown.Cell(f.Dependency)} | {Markdown.Cell(f.Allowlist ?? (f.PrefixSet is { } s ? "prefix set " + s : ""))} | {Markdown.CodeCell(f.Subject)} | {Markdown.Cell(f.Message)} |");
            }
            md.Line();
            md.Line("</details>");
            md.Line();
        }

        if (report.Notes.Count > 0)
        {
            md.Line("## Not checked in this run");
            md.Line();
            foreach (var note in report.Notes)
            {
                if (!md.Fits(1024))
                    break;
                md.Line($"- {Markdown.Text(note)}");
            }
            md.Line();
        }
    }

    private const string Truncated = "cut to stay under 1 MiB: report.json in this run's uploaded artifact (the `--out` folder) has them all";

    private static string Headline(Report report)
    {
        if (report.Findings.Count == 0)
            return "no drift";
        var bySeverity = report.CountsBySeverity.Where(c => c.Value > 0).Select(c => $"{c.Value} {c.Key}");
        return $"{report.Findings.Count} finding{(report.Findings.Count == 1 ? "" : "s")} ({string.Join(", ", bySeverity)})";
    }

    /// <summary>Counts the UTF-8 bytes written, so that the report can stop before a limit.</summary>
    private sealed class CappedWriter(TextWriter writer)
    {
        private long _bytes;

        public void Line(string text = "")
        {
            _bytes += Encoding.UTF8.GetByteCount(text) + 1;
            writer.WriteLine(text);
        }

        /// <summary>Whether <paramref name="reserve"/> more bytes (a line and what follows it) stay under the limit.</summary>
        public bool Fits(int reserve) => _bytes + reserve < MostBytes;
    }
}
