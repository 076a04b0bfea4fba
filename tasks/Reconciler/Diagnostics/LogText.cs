using System.Text;

namespace Reconciler.Diagnostics;

/// <summary>
/// The one escaper of text put into the job's log and its annotations. A CI runner reads every log line as a
/// possible command: GitHub Actions runs a line that starts with <c>::</c> (after leading spaces) as a workflow
/// command (<c>::error</c>, <c>::add-mask::</c>, <c>::stop-commands::</c>) and still honours the older
/// <c>##[command]</c> form. A policy file name, an ignore reason or a DNS name is data: it must never end a line or
/// start one (README "Text from outside is data"). Cake's GitHub Actions commands encode <c>%</c>, <c>:</c> and
/// <c>,</c> in an annotation's message and properties themselves, so a <c>%0A</c> in data stays those three characters.
/// </summary>
public static class LogText
{
    /// <summary>
    /// The message as exactly one line that cannot be read as a command: line breaks and other control or format
    /// characters (U+2028, bidi overrides, escape sequences) are written as <c>\uXXXX</c>, a leading <c>::</c> and
    /// any <c>##[</c> have their first character written the same way. Tabs stay.
    /// </summary>
    public static string Line(string message)
    {
        var text = new StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            if (c != '\t' && ControlCharacters.IsForbidden(c))
                text.Append(Escaped(c));
            else
                text.Append(c);
        }
        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
            start++;
        if (start + 1 < text.Length && text[start] == ':' && text[start + 1] == ':')
            text.Remove(start, 1).Insert(start, Escaped(':'));
        text.Replace("##[", Escaped('#') + "#[");
        return text.ToString();
    }

    private static string Escaped(char c) => $"\\u{(int)c:X4}";
}
