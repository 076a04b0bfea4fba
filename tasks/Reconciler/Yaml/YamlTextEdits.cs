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
            // Right after the last item, not before the bracket: a trailing comma, a comment or a line break
            // between them stays where it was.
            if (items.Count == 0)
                return new TextEdit(list.End - 1, list.End - 1, string.Join(", ", added));
            return new TextEdit(items[^1].End, items[^1].End, ", " + string.Join(", ", added));
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
            return RemoveFromFlow(text, list, items, removed);
        return [.. removed.Select(i => items[i]).Select(s =>
        {
            var start = LineStart(text, s.Start);
            var end = LineEnd(text, s.End);
            return new TextEdit(start, Math.Min(text.Length, end + NewlineOf(text).Length), "");
        })];
    }

    /// <summary>
    /// Removes runs of adjacent items from a flow list. An item that has its line to itself (a list written one item
    /// per line) loses that line with its comment; otherwise the item goes with the separator that joins it to its
    /// neighbour. Every other byte (comments inside the brackets, a trailing comma, spacing) stays.
    /// </summary>
    private static List<TextEdit> RemoveFromFlow(string text, ListSpan list, IReadOnlyList<TextSpan> items, IReadOnlySet<int> removed)
    {
        if (items.Count > 0 && Enumerable.Range(0, items.Count).All(removed.Contains))
            return [new TextEdit(list.Start, list.End, "[]")];
        var edits = new List<TextEdit>();
        for (var first = 0; first < items.Count; first++)
        {
            if (!removed.Contains(first))
                continue;
            var last = first;
            while (last + 1 < items.Count && removed.Contains(last + 1))
                last++;
            var start = items[first].Start;
            var end = items[last].End;
            if (StartsItsLine(text, start) && EndsItsLine(text, end, out var lineEnd))
                edits.Add(new TextEdit(LineStart(text, start), lineEnd, ""));
            else if (last + 1 < items.Count)
                edits.Add(new TextEdit(start, items[last + 1].Start, ""));
            else if (!text.AsSpan(items[first - 1].End, start - items[first - 1].End).Contains('\n'))
                edits.Add(new TextEdit(items[first - 1].End, end, ""));
            else
                edits.Add(new TextEdit(start, end, ""));
            first = last;
        }
        return edits;
    }

    private static bool StartsItsLine(string text, int index) =>
        text.AsSpan(LineStart(text, index), index - LineStart(text, index)).IsWhiteSpace();

    /// <summary>Whether nothing but a comma, blanks and a comment follows the item on its line; <paramref name="next"/> is where the next line starts.</summary>
    private static bool EndsItsLine(string text, int index, out int next)
    {
        var lineEnd = LineEnd(text, index);
        var rest = text.AsSpan(index, lineEnd - index).TrimStart();
        if (rest.StartsWith(","))
            rest = rest[1..].TrimStart();
        next = Math.Min(text.Length, lineEnd + (lineEnd < text.Length && text[lineEnd] == '\r' ? 2 : 1));
        return rest.IsEmpty || rest[0] == '#';
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
        var length = text.Length;
        var at = 0;
        foreach (var edit in ordered)
        {
            if (edit.Start < at)
                return ApplyOneByOne(text, ordered); // overlapping edits: their meaning is the sequential one
            length += edit.Replacement.Length - (edit.End - edit.Start);
            at = edit.End;
        }
        // Written straight into the result: a policy file of an estate is hundreds of kilobytes, and a builder's
        // buffer and then its copy were two of them for every file a plan checks.
        return string.Create(length, (Text: text, Edits: ordered), static (result, state) =>
        {
            var from = 0;
            foreach (var edit in state.Edits)
            {
                state.Text.AsSpan(from, edit.Start - from).CopyTo(result);
                result = result[(edit.Start - from)..];
                edit.Replacement.AsSpan().CopyTo(result);
                result = result[edit.Replacement.Length..];
                from = edit.End;
            }
            state.Text.AsSpan(from).CopyTo(result);
        });
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
