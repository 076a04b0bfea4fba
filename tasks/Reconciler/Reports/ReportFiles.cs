using Reconciler.Files;

namespace Reconciler.Reports;

/// <summary>A file of a run's output, written straight to its stream: a large estate's report is never held as one string.</summary>
public sealed record OutputFile(string Name, Action<Stream> Write)
{
    public static OutputFile Text(string name, string text) => new(name, stream =>
    {
        using var writer = new StreamWriter(stream, AtomicFile.Utf8, leaveOpen: true);
        writer.Write(text);
    });

    /// <summary>A text written through a <see cref="TextWriter"/> as it is made.</summary>
    public static OutputFile Writer(string name, Action<TextWriter> write) => new(name, stream =>
    {
        using var writer = new StreamWriter(stream, AtomicFile.Utf8, bufferSize: 64 * 1024, leaveOpen: true);
        write(writer);
    });
}

/// <summary>Writes a report's files into <c>--out</c>, each through a temporary file so a reader never sees half of one.</summary>
public static class ReportFiles
{
    public static IReadOnlyList<string> Write(Report report, string outDirectory, params OutputFile[] more)
    {
        Directory.CreateDirectory(outDirectory);
        OutputFile[] files =
        [
            new("report.json", stream => ReportJson.WriteTo(stream, report)),
            .. more.Any(m => m.Name == "report.md") ? [] : new[] { OutputFile.Writer("report.md", writer => ReportMarkdown.WriteTo(writer, report)) },
            .. more,
        ];
        return [.. files.Select(f => AtomicFile.Write(Path.Combine(outDirectory, f.Name), f.Write))];
    }
}
