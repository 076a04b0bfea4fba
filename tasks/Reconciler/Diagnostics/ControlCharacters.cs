using System.Globalization;
using System.Text;

namespace Reconciler.Diagnostics;

/// <summary>
/// Names hold no control characters: a NUL in a host name makes every lookup time out, a line break in a user
/// agent splits an HTTP header, and a bidirectional override makes a name read differently than it is.
/// </summary>
public static class ControlCharacters
{
    /// <summary>C0 and C1 controls, DEL, and Unicode format characters (bidi overrides, zero-width joiners, BOM).</summary>
    public static bool IsForbidden(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>The message for a value holding a forbidden character, or null when it holds none.</summary>
    public static string? Problem(string value, string what, bool allowLineBreaks = false)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (allowLineBreaks && c is '\n' or '\r' or '\t')
                continue;
            if (IsForbidden(c))
                return $"{what} '{Escape(value)}' holds the control character U+{(int)c:X4} at position {i + 1}; names hold no control characters";
        }
        return null;
    }

    /// <summary>The value with its control characters written as \u escapes, so a message never carries them to a terminal.</summary>
    public static string Escape(string value)
    {
        if (!value.Any(IsForbidden))
            return value;
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
            text.Append(IsForbidden(c) ? $"\\u{(int)c:X4}" : c);
        return text.ToString();
    }
}
