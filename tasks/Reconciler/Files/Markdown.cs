namespace Reconciler.Files;

/// <summary>The one escaper of text put into the Markdown Reconciler writes (report.md, PR and issue bodies, the review comment).</summary>
public static class Markdown
{
    /// <summary>Text for a table cell: a pipe would end the cell and a line break the row, so neither stays as it is.</summary>
    public static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
