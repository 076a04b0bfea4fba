namespace Reconciler.Reports;

/// <summary>Writes a report's files into <c>--out</c>, each through a temporary file so a reader never sees half of one.</summary>
public static class ReportFiles
{
    public static IReadOnlyList<string> Write(Report report, string outDirectory)
    {
        Directory.CreateDirectory(outDirectory);
        var files = new (string Name, string Text)[]
        {
            ("report.json", ReportJson.Write(report)),
            ("report.md", ReportMarkdown.Write(report)),
        };
        var written = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(outDirectory, name);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
            written.Add(path);
        }
        return written;
    }
}
