using System.Text;

namespace Reconciler.Reports;

/// <summary>A file of a run's output, written straight to its stream: a large estate's report is never held as one string.</summary>
public sealed record OutputFile(string Name, Action<Stream> Write)
{
    public static OutputFile Text(string name, string text) => new(name, stream =>
    {
        using var writer = new StreamWriter(stream, Utf8, leaveOpen: true);
        writer.Write(text);
    });

    /// <summary>A text written through a <see cref="TextWriter"/> as it is made.</summary>
    public static OutputFile Writer(string name, Action<TextWriter> write) => new(name, stream =>
    {
        using var writer = new StreamWriter(stream, Utf8, bufferSize: 64 * 1024, leaveOpen: true);
        write(writer);
    });

    internal static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
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
        return [.. files.Select(f => WriteAtomically(Path.Combine(outDirectory, f.Name), f.Write))];
    }

    public static string WriteAtomically(string path, string text) => WriteAtomically(path, OutputFile.Text(path, text).Write);

    public static string WriteAtomically(string path, Action<Stream> write)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        // A name of this write's own: two runs writing the same file never share (or remove) each other's temporary.
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
                write(stream);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        return path;
    }
}
