using System.Text.RegularExpressions;
using Reconciler.Diagnostics;
using Reconciler.Files;
using Reconciler.Render;

namespace Reconciler.Tests.Escaping;

/// <summary>The escapers one by one: each output language's invariant on the hostile corpus, and that nothing is lost.</summary>
public sealed partial class EscaperTests
{
    [Fact]
    public void A_code_span_holds_any_text_exactly()
    {
        foreach (var text in HostileText.All())
        {
            var span = Markdown.Code(text);
            var fence = span.TakeWhile(c => c == '`').Count();
            Assert.True(span.EndsWith(new string('`', fence), StringComparison.Ordinal), span);
            var inner = span[fence..^fence];
            // CommonMark strips one space from each end when both ends have one: the content must come back exact.
            if (inner.Length >= 2 && inner[0] == ' ' && inner[^1] == ' ' && inner.Trim().Length > 0)
                inner = inner[1..^1];
            Assert.Equal(ControlCharacters.Escape(text), inner);
            Assert.DoesNotContain(new string('`', fence), inner, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Text_escapes_every_markup_yet_reads_as_the_data()
    {
        foreach (var text in HostileText.All())
        {
            var md = Markdown.Text(text);
            MarkdownInvariant.Holds(md, [text], "Markdown.Text");
            // Undo the escapes: the data comes back, control characters as their \u escapes (a text with code spans
            // keeps them as they are, so only one without backticks reads back exactly).
            if (!text.Contains('`', StringComparison.Ordinal))
            {
                var back = Unescape().Replace(md.Replace(Markdown.Break, "", StringComparison.Ordinal), "$1");
                Assert.Equal(ControlCharacters.Escape(text), back);
            }
        }
    }

    [GeneratedRegex(@"\\([!-/:-@\[-`{-~])")]
    private static partial Regex Unescape();

    [Theory]
    [InlineData("add `reason:` (a ticket)", "add `reason:` (a ticket)")]
    [InlineData("a ` lone", "a \\` lone")]
    [InlineData("``x`` and `[l](https://e.example)`", "``x`` and `[l](https://e.example)`")]
    [InlineData("`a` [l](u) `", "`a` \\[l\\](u) \\`")]
    [InlineData("1. item", "1\\. item")]
    [InlineData("203.0.113.9 x", "203.0.113.9 x")]
    public void Text_keeps_the_code_spans_it_holds_and_escapes_the_rest(string text, string expected) =>
        Assert.Equal(expected, Markdown.Text(text));

    [Fact]
    public void A_code_block_is_never_closed_by_its_content()
    {
        foreach (var text in HostileText.All())
        {
            var block = Markdown.CodeBlock("diff", text.Replace("\r", "", StringComparison.Ordinal));
            MarkdownInvariant.OutsideCode(block, "a code block");
            var fence = block.TakeWhile(c => c == '`').Count();
            Assert.True(fence >= 3);
            Assert.DoesNotContain(block.Split('\n')[1..^2], l => l.TrimStart(' ').StartsWith(new string('`', fence), StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Wrapping_breaks_long_lines_at_spaces_and_loses_nothing()
    {
        var random = new Random(HostileText.Seed);
        for (var n = 0; n < 200; n++)
        {
            var words = Enumerable.Range(0, random.Next(1, 200)).Select(_ => new string('a', random.Next(1, 40)) + (random.Next(8) == 0 ? " -" : "")).ToList();
            var prefix = new[] { "", "- ", "> ", "12. " }[random.Next(4)];
            var line = prefix + string.Join(' ', words);
            var wrapped = Markdown.Wrap(line, 100);
            Assert.Equal(Words(line), Words(wrapped.Replace("\n> ", " ", StringComparison.Ordinal)));
            var lines = wrapped.Split('\n');
            Assert.All(lines.Skip(1), l => Assert.False(l.TrimStart().StartsWith('-'), $"seed {HostileText.Seed}: a continuation starts a list: {l}"));
            Assert.All(lines, l => Assert.True(l.Length <= 100 || !l.Trim().Contains(' ', StringComparison.Ordinal) || l.Split(' ').Any(w => w.Length > 60) || l.Contains(" -", StringComparison.Ordinal), $"seed {HostileText.Seed}: {l.Length}: {l}"));
            if (prefix == "- ")
                Assert.All(lines.Skip(1), l => Assert.StartsWith("  ", l, StringComparison.Ordinal));
        }
        // Code blocks and tables are left as they are.
        var block = "```\n" + new string('x', 50) + " " + new string('y', 400) + "\n```";
        Assert.Equal(block, Markdown.Wrap(block, 100));
    }

    private static string Words(string text) => string.Join(' ', text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void A_log_line_is_one_line_and_no_command()
    {
        foreach (var text in HostileText.All())
        {
            var line = LogText.Line(text);
            LogInvariant.IsOneSafeLine(line, "LogText.Line");
            Assert.Contains(HostileText.SentinelOf(text), line, StringComparison.Ordinal);
            LogInvariant.IsOneSafeLine(LogText.Line("  ::error::" + text), "LogText.Line");
        }
        Assert.Equal("line one\\u000A::error::x", LogText.Line("line one\n::error::x"));
        Assert.Equal("\\u003A:add-mask::secret", LogText.Line("::add-mask::secret"));
    }

    [Fact]
    public void An_iptables_comment_is_quoted_escaped_and_within_the_kernels_limit()
    {
        foreach (var text in HostileText.All())
        {
            var quoted = RenderText.IptablesComment(text);
            Assert.StartsWith("\"", quoted, StringComparison.Ordinal);
            Assert.EndsWith("\"", quoted, StringComparison.Ordinal);
            var value = Regex.Replace(quoted[1..^1], @"\\(.)", "$1");
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(value) <= RenderText.IptablesCommentBytes, quoted);
            Assert.DoesNotContain('\n', quoted);
            Assert.StartsWith(HostileText.SentinelOf(text), value, StringComparison.Ordinal);
            var comment = RenderText.CommentLine(text);
            Assert.StartsWith("# ", comment, StringComparison.Ordinal);
            Assert.Equal(comment.Length - 1, comment.IndexOf('\n', StringComparison.Ordinal));
        }
    }
}
