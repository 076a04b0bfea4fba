using Reconciler.Policies.Model;

namespace Reconciler.Yaml;

/// <summary>A replacement of one stretch of a file's text.</summary>
public sealed record TextEdit(int Start, int End, string Replacement);

/// <summary>
/// Edits YAML lists as text, at the positions the parser reported, so that everything the edit does not
/// concern (comments, order, quoting, blank lines, line endings) stays byte for byte.
/// </summary>
public static class YamlTextEdits
{
    /// <summary>Appends items to a list: inside the brackets of a flow list, as new <c>- item</c> lines after a block list.</summary>
    public static TextEdit Append(string text, ListSpan list, IReadOnlyList<TextSpan> items, IReadOnlyList<string> added)
    {
        if (list.IsFlow)
        {
            var closing = list.End - 1;
            var prefix = items.Count == 0 ? "" : ", ";
            return new TextEdit(closing, closing, prefix + string.Join(", ", added));
        }
        var last = items[^1];
        var lineEnd = LineEnd(text, last.End);
        var indent = text[LineStart(text, last.Start)..text.LastIndexOf('-', last.Start)];
        var newline = NewlineOf(text);
        return new TextEdit(lineEnd, lineEnd, string.Concat(added.Select(item => newline + indent + "- " + item)));
    }

    /// <summary>Removes items: a flow list is rewritten from its remaining items' own text; a block item loses its line.</summary>
    public static IReadOnlyList<TextEdit> Remove(string text, ListSpan list, IReadOnlyList<TextSpan> items, IReadOnlySet<int> removed)
    {
        if (list.IsFlow)
        {
            var kept = items.Where((_, i) => !removed.Contains(i)).Select(s => text[s.Start..s.End]);
            return [new TextEdit(list.Start, list.End, "[" + string.Join(", ", kept) + "]")];
        }
        return [.. removed.Select(i => items[i]).Select(s =>
        {
            var start = LineStart(text, s.Start);
            var end = LineEnd(text, s.End);
            return new TextEdit(start, Math.Min(text.Length, end + NewlineOf(text).Length), "");
        })];
    }

    /// <summary>Adds <c>key: [items]</c> as the last line of a block mapping that starts at <paramref name="column"/> (1-based).</summary>
    public static TextEdit AddKey(string text, TextSpan mapping, int column, string key, IReadOnlyList<string> items)
    {
        var lineEnd = LineEnd(text, mapping.End);
        return new TextEdit(lineEnd, lineEnd, NewlineOf(text) + new string(' ', column - 1) + key + ": [" + string.Join(", ", items) + "]");
    }

    /// <summary>
    /// The text with the edits made, as if applied from the last to the first. One pass over the text: a plan of a
    /// large estate applies hundreds of edits to one file, and a copy of the file per edit made that quadratic.
    /// </summary>
    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        // Insertions at one place end up in reverse order when applied last to first: keep that.
        var ordered = edits.Select((e, i) => (Edit: e, Index: i)).OrderBy(x => x.Edit.Start).ThenBy(x => x.Edit.End).ThenByDescending(x => x.Index).Select(x => x.Edit).ToList();
        var result = new System.Text.StringBuilder(text.Length + ordered.Sum(e => e.Replacement.Length));
        var at = 0;
        foreach (var edit in ordered)
        {
            if (edit.Start < at)
                return ApplyOneByOne(text, ordered); // overlapping edits: their meaning is the sequential one
            result.Append(text, at, edit.Start - at).Append(edit.Replacement);
            at = edit.End;
        }
        return result.Append(text, at, text.Length - at).ToString();
    }

    private static string ApplyOneByOne(string text, IEnumerable<TextEdit> edits)
    {
        var result = text;
        foreach (var edit in edits.OrderByDescending(e => e.Start).ThenByDescending(e => e.End))
            result = result[..edit.Start] + edit.Replacement + result[edit.End..];
        return result;
    }

    private static int LineStart(string text, int index) => text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;

    private static int LineEnd(string text, int index)
    {
        var newline = text.IndexOf('\n', Math.Min(index, text.Length));
        if (newline < 0)
            return text.Length;
        return newline > 0 && text[newline - 1] == '\r' ? newline - 1 : newline;
    }

    private static string NewlineOf(string text) => text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
}
