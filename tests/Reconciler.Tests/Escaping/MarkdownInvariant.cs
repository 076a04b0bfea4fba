using System.Text;
using System.Text.RegularExpressions;
using Reconciler.Files;

namespace Reconciler.Tests.Escaping;

/// <summary>
/// What a body made from hostile data must hold, checked without a Markdown parser: outside code spans and fenced
/// blocks, every <c>[</c>, <c>]</c>, <c>&lt;</c>, <c>&gt;</c> and backtick is backslash-escaped (the
/// template's own tags and markers aside), every <c>@</c>, <c>://</c> and <c>www.</c> is broken by
/// <see cref="Markdown.Break"/>; and the data is there (its sentinel shows), not dropped.
/// </summary>
internal static partial class MarkdownInvariant
{
    /// <summary>The template's own HTML and markers, and the links and checkboxes the code writes.</summary>
    [GeneratedRegex(@"</?details>|</?summary>|<!-- reconciler:[^\n]*? -->|<!-- reconciler:findings\n[0-9a-f\n]*-->|^- \[[ x]\] ", RegexOptions.Multiline)]
    private static partial Regex Template();

    public static void Holds(string body, IEnumerable<string> hostile, string what)
    {
        var outside = Template().Replace(OutsideCode(body, what), " ");
        for (var i = 0; i < outside.Length; i++)
        {
            var c = outside[i];
            if (c is '[' or ']' or '<' or '>' or '`' && !IsEscaped(outside, i) && !(c == '>' && AtLineStart(outside, i)))
                Fail(body, outside, i, $"unescaped '{c}'", what);
            if (c == '@' && !outside.AsSpan(i + 1).StartsWith(Markdown.Break))
                Fail(body, outside, i, "a mention", what);
            if (c == ':' && outside.AsSpan(i + 1).StartsWith("//"))
                Fail(body, outside, i, "an autolink", what);
            if (c is 'w' or 'W' && outside.AsSpan(i).StartsWith("www.", StringComparison.OrdinalIgnoreCase))
                Fail(body, outside, i, "a www autolink", what);
            if (c is '\r' or '\0' or '\u2028' or '\u2029' or '\u0085' or '\u202e' or '\u2066')
                Fail(body, outside, i, $"the character U+{(int)c:X4}", what);
        }
        foreach (var text in hostile)
        {
            var sentinel = HostileText.SentinelOf(text);
            Assert.True(body.Contains(sentinel, StringComparison.Ordinal), $"{what}: the data {sentinel} is not in the body (seed {HostileText.Seed}):\n{body}");
        }
    }

    private static void Fail(string body, string outside, int at, string problem, string what) =>
        Assert.Fail($"{what}: {problem} from data at …{outside[Math.Max(0, at - 60)..Math.Min(outside.Length, at + 60)]}… (seed {HostileText.Seed})\n--- body:\n{body}");

    /// <summary>The template's own quotes (<c>&gt; **Not proposed:**</c>) start lines; data never does.</summary>
    private static bool AtLineStart(string text, int index)
    {
        for (var i = index - 1; i >= 0 && text[i] != '\n'; i--)
        {
            if (text[i] != ' ')
                return false;
        }
        return true;
    }

    private static bool IsEscaped(string text, int index)
    {
        var backslashes = 0;
        for (var i = index - 1; i >= 0 && text[i] == '\\'; i--)
            backslashes++;
        return backslashes % 2 == 1;
    }

    /// <summary>The body less its fenced blocks and code spans (CommonMark: a span ends at the next run of as many backticks).</summary>
    public static string OutsideCode(string body, string what)
    {
        var text = new StringBuilder();
        string? fence = null;
        foreach (var line in body.Split('\n'))
        {
            var trimmed = line.TrimStart(' ');
            if (line.Length - trimmed.Length <= 3 && trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                var run = trimmed.TakeWhile(c => c == '`').Count();
                if (fence is null)
                    fence = new string('`', run);
                else if (run >= fence.Length && trimmed.Trim().Length == run)
                    fence = null;
                text.Append('\n');
                continue;
            }
            if (fence is not null)
            {
                text.Append('\n');
                continue;
            }
            text.Append(WithoutSpans(line, what)).Append('\n');
        }
        Assert.True(fence is null, $"{what}: a fenced block never closes:\n{body}");
        return text.ToString();
    }

    private static string WithoutSpans(string line, string what)
    {
        var text = new StringBuilder();
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                text.Append(line, i, 2);
                i += 2;
                continue;
            }
            if (line[i] != '`')
            {
                text.Append(line[i++]);
                continue;
            }
            var run = 0;
            while (i + run < line.Length && line[i + run] == '`')
                run++;
            var close = FindRun(line, i + run, run);
            Assert.True(close >= 0, $"{what}: a code span opened by {run} backticks never closes in: {line}");
            text.Append(' ');
            i = close + run;
        }
        return text.ToString();
    }

    private static int FindRun(string line, int from, int length)
    {
        var i = from;
        while (i < line.Length)
        {
            if (line[i] != '`')
            {
                i++;
                continue;
            }
            var run = 0;
            while (i + run < line.Length && line[i + run] == '`')
                run++;
            if (run == length)
                return i;
            i += run;
        }
        return -1;
    }
}
