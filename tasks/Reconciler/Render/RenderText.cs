using System.Text;
using Reconciler.Diagnostics;

namespace Reconciler.Render;

/// <summary>
/// The one escaper of text put into rendered files (iptables-restore, ipset restore, squid includes). Names and
/// places in them come from policy files: as data they may end a comment or a quoted string only where this says,
/// so nothing in them can start a rule (README "Text from outside is data").
/// </summary>
public static class RenderText
{
    /// <summary>The kernel keeps an iptables comment of at most 255 bytes (XT_MAX_COMMENT_LEN less its NUL).</summary>
    public const int IptablesCommentBytes = 255;

    /// <summary>Characters of a comment line: squid and iptables-restore read lines into fixed buffers (8 KiB and more) and read on where one is full.</summary>
    public const int CommentCharacters = 1000;

    /// <summary>
    /// A whole comment line (<c># …</c>) for iptables-restore, ipset restore and squid, which all read a line that
    /// starts with <c>#</c> as a comment up to its end: the text's line breaks and other control or format characters
    /// are written as <c>\uXXXX</c>, and it is cut to <see cref="CommentCharacters"/>, so the comment ends where the
    /// line does and no reader's buffer splits it.
    /// </summary>
    public static string CommentLine(string text)
    {
        var escaped = ControlCharacters.Escape(text);
        if (escaped.Length > CommentCharacters)
            escaped = escaped[..(char.IsHighSurrogate(escaped[CommentCharacters - 2]) ? CommentCharacters - 2 : CommentCharacters - 1)] + "…";
        return "# " + escaped + "\n";
    }

    /// <summary>
    /// The argument of <c>-m comment --comment</c>, quotes included: control characters written as <c>\uXXXX</c>,
    /// cut to <see cref="IptablesCommentBytes"/> bytes at a character boundary, then <c>\</c> and <c>"</c>
    /// backslash-escaped as iptables-restore reads them inside double quotes (and iptables-save writes them).
    /// </summary>
    public static string IptablesComment(string text)
    {
        var value = Fit(ControlCharacters.Escape(text), IptablesCommentBytes);
        var quoted = new StringBuilder(value.Length + 8).Append('"');
        foreach (var c in value)
        {
            if (c is '\\' or '"')
                quoted.Append('\\');
            quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>The longest prefix of <paramref name="text"/> of at most <paramref name="bytes"/> UTF-8 bytes that splits no character.</summary>
    private static string Fit(string text, int bytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= bytes)
            return text;
        var used = 0;
        var end = 0;
        while (end < text.Length)
        {
            var length = char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1]) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(end, length));
            if (used + size > bytes)
                break;
            used += size;
            end += length;
        }
        return text[..end];
    }
}
