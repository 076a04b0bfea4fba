using Reconciler.Diagnostics;

namespace Reconciler.Yaml;

/// <summary>
/// YamlDotNet's messages for the common mistakes, said in plain words and placed on the line the person must
/// fix (a tab is reported where the block it breaks begins, which can be lines above the tab).
/// </summary>
public static class YamlSyntaxMessages
{
    public static PolicyError Explain(string message, SourceLocation at, string text)
    {
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text, at.Line) is { } tab)
            return new(at with { Line = tab.Line, Column = tab.Column }, $"line {tab.Line} is indented with a tab; YAML indents with spaces");
        return new(at, Plain(message, CharacterAt(text, at)) ?? "YAML syntax error: " + message);
    }

    private static string? Plain(string message, char? found)
    {
        bool Has(string part) => message.Contains(part, StringComparison.OrdinalIgnoreCase);
        if (Has("found invalid mapping"))
            return "YAML syntax error: ': ' where no key can start: quote a value that holds ': ', and line keys up with the keys above them";
        if (Has("did not find expected '-' indicator"))
            return "YAML syntax error: this line does not line up with the list above it; each item starts with '- ' at the same indentation";
        if (Has("did not find expected key"))
            return "YAML syntax error: this line does not fit the mapping above it; check its indentation, and for a stray ']' or '}' before it";
        if (Has("quoted scalar") && Has("wrong indentation"))
            return "YAML syntax error: this quoted value runs on into the lines below; a closing quote is missing";
        if (Has("quoted scalar") && Has("end of stream"))
            return "YAML syntax error: this quoted value is never closed; a closing quote is missing";
        if (Has("cannot start any token"))
            return found is { } c && !char.IsControl(c)
                ? $"YAML syntax error: a value cannot start with '{c}'; put the value in quotes"
                : "YAML syntax error: a character that cannot start a value; put the value in quotes";
        if (Has("did not find expected node content"))
            return "YAML syntax error: a value is missing here, or starts with a character that cannot start one (a stray ']' or '}'?)";
        if (Has("did not find expected <document end>"))
            return "YAML syntax error: text after the end of the document (a stray ']' or '}'?)";
        if (Has("unknown escape character"))
            return "YAML syntax error: an unknown \\ escape in a double-quoted value; use single quotes, or write \\\\ for a backslash";
        return null;
    }

    /// <summary>The first line at or below <paramref name="from"/> (or anywhere, failing that) whose indentation holds a tab.</summary>
    private static (int Line, int Column)? FirstTabIndent(string text, int from)
    {
        (int, int)? first = null;
        var number = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            number++;
            var indent = line.IndexOfAnyExcept(' ', '\t');
            var tab = (indent < 0 ? line : line[..indent]).IndexOf('\t');
            if (tab < 0)
                continue;
            if (number >= from)
                return (number, tab + 1);
            first ??= (number, tab + 1);
        }
        return first;
    }

    private static char? CharacterAt(string text, SourceLocation at)
    {
        var number = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (++number == at.Line)
                return at.Column - 1 < line.Length ? line[at.Column - 1] : null;
        }
        return null;
    }
}
