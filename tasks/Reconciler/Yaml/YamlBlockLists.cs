namespace Reconciler.Yaml;

/// <summary>
/// Edits that keep a list reviewable as it grows: one item per line, so a change of N items is N lines of a diff.
/// <see cref="YamlTextEdits"/> keeps a list in the style it has; these change the style or keep an order.
/// </summary>
public static class YamlBlockLists
{
    /// <summary>A flow list line at most this long stays a flow list; longer, it is written one item per line.</summary>
    public const int LongestFlowLine = 100;

    /// <summary>Whether a flow list holding <paramref name="items"/> would make its line longer than <see cref="LongestFlowLine"/>.</summary>
    public static bool TooLongForFlow(string text, ListSpan list, IEnumerable<string> items)
    {
        var lineStart = text.LastIndexOf('\n', Math.Max(0, list.Start - 1)) + 1;
        var lineEnd = text.IndexOf('\n', list.End) is var n and >= 0 ? n : text.Length;
        var rest = lineEnd - list.End;
        return list.Start - lineStart + 2 + items.Sum(i => i.Length + 2) + rest > LongestFlowLine;
    }

    /// <summary>Rewrites a flow list (<c>key: [a, b]</c>) as a block list of <paramref name="items"/>, one <c>- item</c> per line under its key.</summary>
    public static TextEdit RewriteAsBlock(string text, ListSpan list, IReadOnlyList<string> items)
    {
        var start = list.Start;
        while (start > 0 && text[start - 1] == ' ')
            start--;
        var indent = new string(' ', KeyColumn(text, list.Start) + 2);
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        return new TextEdit(start, list.End, string.Concat(items.Select(i => newline + indent + "- " + i)));
    }

    /// <summary>
    /// Inserts items into a block list whose items are in <paramref name="order"/>, each before the first item that
    /// sorts after it (after the last otherwise), so that the list stays sorted and the diff shows each where it belongs.
    /// </summary>
    public static IReadOnlyList<TextEdit> InsertInOrder(string text, IReadOnlyList<(string Value, TextSpan Span)> items, IReadOnlyList<string> added, IComparer<string> order)
    {
        if (items.Count == 0)
            throw new ArgumentException("a block list has at least one item", nameof(items));
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var first = items[0].Span.Start;
        var lineOfFirst = text.LastIndexOf('\n', Math.Max(0, first - 1)) + 1;
        var indent = text[lineOfFirst..text.LastIndexOf('-', first)];
        var edits = new List<TextEdit>();
        foreach (var group in added.Order(order).GroupBy(a => items.Select((x, i) => (x.Value, i)).FirstOrDefault(x => order.Compare(x.Value, a) > 0, (null!, items.Count)).i))
        {
            if (group.Key < items.Count)
            {
                var at = text.LastIndexOf('\n', Math.Max(0, items[group.Key].Span.Start - 1)) + 1;
                edits.Add(new TextEdit(at, at, string.Concat(group.Select(a => indent + "- " + a + newline))));
            }
            else
            {
                var last = items[^1].Span.End;
                var end = text.IndexOf('\n', last) is var n and >= 0 ? (n > 0 && text[n - 1] == '\r' ? n - 1 : n) : text.Length;
                edits.Add(new TextEdit(end, end, string.Concat(group.Select(a => newline + indent + "- " + a))));
            }
        }
        return edits;
    }

    /// <summary>The 0-based column of the mapping key whose value starts at <paramref name="valueStart"/> (after any <c>- </c> of a sequence item).</summary>
    private static int KeyColumn(string text, int valueStart)
    {
        var lineStart = text.LastIndexOf('\n', Math.Max(0, valueStart - 1)) + 1;
        var column = 0;
        while (lineStart + column < valueStart && (text[lineStart + column] == ' ' || (text[lineStart + column] == '-' && lineStart + column + 1 < text.Length && text[lineStart + column + 1] == ' ')))
            column++;
        return column;
    }
}
