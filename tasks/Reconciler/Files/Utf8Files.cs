namespace Reconciler.Files;

/// <summary>
/// Files of tens of megabytes (a large estate's observations and state) are parsed where they lie, as UTF-8, rather
/// than made a string first; a file that is not plain UTF-8 is still decoded as <see cref="File.ReadAllText(string)"/>
/// and <see cref="StreamReader"/> always decoded it, so that reading them means what it meant.
/// </summary>
internal static class Utf8Files
{
    /// <summary>The file's UTF-8 without its byte order mark; false when it has another encoding's mark or is not UTF-8.</summary>
    public static bool TryPlain(ReadOnlyMemory<byte> file, out ReadOnlyMemory<byte> utf8)
    {
        utf8 = file.Span.StartsWith("\uFEFF"u8) ? file[3..] : file;
        return utf8.Span is not ([0xFE, 0xFF, ..] or [0xFF, 0xFE, ..] or [0, 0, 0xFE, 0xFF, ..]) && System.Text.Unicode.Utf8.IsValid(utf8.Span);
    }

    /// <summary>The file as text, as a reader that detects byte order marks decodes it (invalid bytes become U+FFFD).</summary>
    public static string Decode(ReadOnlyMemory<byte> file)
    {
        using var reader = new StreamReader(new MemoryStream(file.ToArray()), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
