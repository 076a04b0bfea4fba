using System.Text;
using Reconciler.Diagnostics;

namespace Reconciler.Files;

/// <summary>
/// The one escaper of text put into the Markdown Reconciler writes (report.md, PR and issue bodies, the review comment,
/// the dashboard). Text from outside (DNS names, CNAME chains, feed text, WAF bodies, file names, owners, reasons) is
/// data: written through <see cref="Code"/> or <see cref="Text"/> it makes no mention, link, image, autolink, issue
/// reference, HTML tag or comment, and no line break (README "Text from outside is data"). The code's own Markdown
/// (headings, its markers, a mention of a team it routes to) is written around it, never through it.
/// </summary>
public static class Markdown
{
    /// <summary>Decoded by GitHub into U+200B: it breaks a mention, an autolink or an issue reference without hiding a character.</summary>
    public const string Break = "&#8203;";

    /// <summary>
    /// Text as it reads, inline: Markdown punctuation backslash-escaped (so no link, image, emphasis, HTML or table
    /// cell starts in it; the code spans it holds stay code spans, inert, and a lone backtick is escaped), line breaks and other control or format characters written as <c>\uXXXX</c>, and
    /// <see cref="Break"/> put after each <c>@</c>, inside each <c>://</c> and <c>www.</c>, and after a <c>#</c>
    /// that precedes a digit, which GitHub would otherwise turn into a mention, a link or an issue reference.
    /// </summary>
    public static string Text(string text)
    {
        var md = new StringBuilder(text.Length + 16);
        var spans = CodeSpans(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (ControlCharacters.IsForbidden(c))
            {
                md.Append($"\\u{(int)c:X4}");
                continue;
            }
            if (spans.TryGetValue(i, out var end))
            {
                // A code span the text itself holds (messages write `track: domain`) stays one: inside it nothing is markup.
                foreach (var inner in text.AsSpan(i, end - i))
                    md.Append(ControlCharacters.IsForbidden(inner) ? $"\\u{(int)inner:X4}" : inner == '|' ? "\\|" : inner.ToString());
                i = end - 1;
                continue;
            }
            if (Escaped(c) || (LineStart(c) && IsFirst(text, i)) || (c is '.' or ')' && AfterLeadingDigits(text, i) && (i + 1 == text.Length || text[i + 1] is ' ' or '\t')))
                md.Append('\\');
            md.Append(c);
            if (c == '@' || (c == '#' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                md.Append(Break);
            else if (c == ':' && text.AsSpan(i + 1).StartsWith("//"))
                md.Append(Break);
            else if (c is 'w' or 'W' && i >= 2 && text.AsSpan(i - 2, 3).Equals("www", StringComparison.OrdinalIgnoreCase) && i + 1 < text.Length && text[i + 1] == '.')
                md.Append(Break);
        }
        return md.ToString();
    }

    /// <summary>
    /// The code spans of <paramref name="text"/> as CommonMark finds them (a run of backticks up to the next run of as
    /// many), start to end; a run that finds no partner is literal and <see cref="Text"/> escapes it. Backslashes do not
    /// escape backticks here: <see cref="Text"/> doubles each backslash outside spans.
    /// </summary>
    private static Dictionary<int, int> CodeSpans(string text)
    {
        var spans = new Dictionary<int, int>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '`')
            {
                i++;
                continue;
            }
            var run = RunAt(text, i);
            var close = i + run;
            while (close < text.Length && !(text[close] == '`' && RunAt(text, close) == run))
                close += text[close] == '`' ? RunAt(text, close) : 1;
            if (close < text.Length)
            {
                spans[i] = close + run;
                i = close + run;
            }
            else
            {
                i += run;
            }
        }
        return spans;
    }

    private static int RunAt(string text, int index)
    {
        var run = 0;
        while (index + run < text.Length && text[index + run] == '`')
            run++;
        return run;
    }

    /// <summary>Text for a table cell: <see cref="Text"/>, which also escapes the pipe that would end the cell.</summary>
    public static string Cell(string text) => Text(text);

    /// <summary>
    /// A code span holding <paramref name="text"/> exactly (control characters written as <c>\uXXXX</c>): its fence is
    /// one backtick longer than the longest run inside, padded with a space where the content starts or ends with a
    /// backtick or a space. Not for a table cell (<see cref="CodeCell"/>).
    /// </summary>
    public static string Code(string text)
    {
        var content = ControlCharacters.Escape(text);
        if (content.Length == 0)
            return "` `";
        var fence = new string('`', LongestRun(content, '`') + 1);
        var pad = content[0] == '`' || content[^1] == '`' || (content[0] == ' ' && content[^1] == ' ' && content.Trim().Length > 0);
        return pad ? $"{fence} {content} {fence}" : fence + content + fence;
    }

    /// <summary>A code span in a table cell: <see cref="Code"/> with its pipes escaped (GFM tables split cells at any unescaped pipe, even in code).</summary>
    public static string CodeCell(string text) => Code(text).Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>A fenced code block (<c>```diff</c>, <c>```mermaid</c>) whose fence no line of <paramref name="content"/> can close.</summary>
    public static string CodeBlock(string info, string content)
    {
        var body = content.EndsWith('\n') ? content : content + "\n";
        var fence = new string('`', Math.Max(3, LongestRun(body, '`') + 1));
        return $"{fence}{info}\n{body}{fence}\n";
    }

    /// <summary>
    /// A body whose every line outside code blocks, tables and HTML is at most <paramref name="width"/> characters:
    /// longer lines are broken at spaces, never cut, each continuation indented as its list item or quoted as its
    /// quote (so Markdown reads it as the same paragraph). A word longer than the width stays whole.
    /// </summary>
    public static string Wrap(string body, int width)
    {
        var lines = body.Split('\n');
        var result = new StringBuilder(body.Length + 64);
        string? fence = null;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var trimmed = line.TrimStart(' ');
            if (line.Length - trimmed.Length <= 3 && (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal)))
            {
                var marker = trimmed[..trimmed.TakeWhile(c => c == trimmed[0]).Count()];
                if (fence is null)
                    fence = marker;
                else if (marker.Length >= fence.Length && marker[0] == fence[0] && trimmed.Trim().Length == marker.Length)
                    fence = null;
            }
            else if (fence is null && line.Length > width && !trimmed.StartsWith('|') && !trimmed.StartsWith('<'))
            {
                line = WrapLine(line, width);
            }
            result.Append(line);
            if (n < lines.Length - 1)
                result.Append('\n');
        }
        return result.ToString();
    }

    private static string WrapLine(string line, int width)
    {
        var indent = line.Length - line.TrimStart(' ').Length;
        var rest = line[indent..];
        var continuation = new string(' ', indent);
        if (rest.StartsWith("> ", StringComparison.Ordinal))
            continuation += "> ";
        else if (rest.Length > 2 && rest[0] is '-' or '*' or '+' && rest[1] == ' ')
            continuation += "  ";
        else if (rest.TakeWhile(char.IsAsciiDigit).Count() is var digits and > 0 && rest.Length > digits + 1 && rest[digits] is '.' or ')' && rest[digits + 1] == ' ')
            continuation += new string(' ', digits + 2);
        var result = new StringBuilder(line.Length + 16);
        var prefix = line[..indent];
        var start = 0;
        int? breakAt = null;
        foreach (var space in SpacesOutsideCode(rest))
        {
            if (prefix.Length + (space - start) > width && breakAt is { } at)
            {
                result.Append(prefix).Append(rest, start, at - start).Append('\n');
                prefix = continuation;
                start = at + 1;
                breakAt = null;
            }
            // A line that starts with a list marker, a heading or a fence would be a block of its own: no break there.
            if (space > start && space + 1 < rest.Length && rest[space + 1] != ' ' && !StartsBlock(rest[(space + 1)..]))
                breakAt = space;
        }
        if (prefix.Length + (rest.Length - start) > width && breakAt is { } last)
        {
            result.Append(prefix).Append(rest, start, last - start).Append('\n');
            (prefix, start) = (continuation, last + 1);
        }
        return result.Append(prefix).Append(rest, start, rest.Length - start).ToString();
    }

    /// <summary>Where a line may break: its spaces, less those inside code spans (and escaped backticks open none).</summary>
    private static IEnumerable<int> SpacesOutsideCode(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == ' ')
                yield return i;
            if (c != '`')
            {
                i++;
                continue;
            }
            var run = 0;
            while (i + run < text.Length && text[i + run] == '`')
                run++;
            var close = i + run;
            while (close < text.Length)
            {
                var other = 0;
                while (close + other < text.Length && text[close + other] == '`')
                    other++;
                if (other == run)
                    break;
                close += Math.Max(other, 1);
            }
            // An unclosed run is literal backticks: go on after it.
            i = close < text.Length ? close + run : i + run;
        }
    }

    private static bool StartsBlock(string word) => word.Length > 0 &&
        (word[0] is '-' or '+' or '*' or '#' or '>' or '=' or '|' or '`' or '~' or '<' || (char.IsAsciiDigit(word[0]) && word.TrimStart("0123456789".ToCharArray()) is [('.' or ')'), ..]));

    /// <summary>
    /// ASCII punctuation that starts or ends inline Markdown anywhere in a line (CommonMark lets every ASCII punctuation
    /// be escaped). With the brackets and <c>&lt;</c> escaped no link, image or tag can start, so <c>(</c>, <c>!</c>
    /// and <c>_</c> (intra-word in names) stay as they are and messages stay readable as plain text.
    /// </summary>
    private static bool Escaped(char c) => c is '\\' or '`' or '*' or '[' or ']' or '<' or '>' or '|' or '~' or '&' or '$';

    /// <summary>Punctuation that starts a block (heading, list, setext underline) only at the start of a line.</summary>
    private static bool LineStart(char c) => c is '#' or '-' or '+' or '=';

    /// <summary>Whether the text up to <paramref name="index"/> is a number at the start of a line, which a <c>.</c> would make an ordered list.</summary>
    private static bool AfterLeadingDigits(string text, int index)
    {
        var i = 0;
        while (i < index && text[i] is ' ' or '\t')
            i++;
        var digits = i;
        while (i < index && char.IsAsciiDigit(text[i]))
            i++;
        return i == index && i > digits;
    }

    private static bool IsFirst(string text, int index)
    {
        for (var i = 0; i < index; i++)
        {
            if (text[i] is not (' ' or '\t'))
                return false;
        }
        return true;
    }

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var x in text)
        {
            run = x == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }
}
