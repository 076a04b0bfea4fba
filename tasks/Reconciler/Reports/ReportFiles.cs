namespace Reconciler.Reports;

/// <summary>Writes a report's files into <c>--out</c>, each through a temporary file so a reader never sees half of one.</summary>
public static class ReportFiles
{
    public static IReadOnlyList<string> Write(Report report, string outDirectory, params (string Name, string Text)[] more)
    {
        Directory.CreateDirectory(outDirectory);
        (string Name, string Text)[] files = [("report.json", ReportJson.Write(report)), ("report.md", ReportMarkdown.Write(report)), .. more];
        return [.. files.Select(f => WriteAtomically(Path.Combine(outDirectory, f.Name), f.Text))];
    }

    public static string WriteAtomically(string path, string text)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
