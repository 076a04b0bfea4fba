using System.Text;

namespace Reconciler.Files;

/// <summary>
/// Every file Reconciler writes (reports, the plan, the state, rendered allowlists, the provider snapshot) goes through
/// a temporary file and a rename: a reader, a crashed run or a second run never sees half of one.
/// </summary>
public static class AtomicFile
{
    /// <summary>UTF-8 without a byte order mark, as every file Reconciler writes is.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string Write(string path, string text) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, Utf8, leaveOpen: true);
        writer.Write(text);
    });

    /// <summary>A text written through a <see cref="TextWriter"/> as it is made, never held whole.</summary>
    public static string Write(string path, Action<TextWriter> write) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, Utf8, bufferSize: 64 * 1024, leaveOpen: true);
        write(writer);
    });

    public static string Write(string path, Action<Stream> write)
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
