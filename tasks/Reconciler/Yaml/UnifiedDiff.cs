using System.Text;

namespace Reconciler.Yaml;

/// <summary>A unified diff (as <c>diff -u</c> and <c>git diff</c> write it) of two versions of a file.</summary>
public static partial class UnifiedDiff
{
    /// <summary>
    /// The diff of a file and its edits, from the lines the edits touch and their context only: one pull request of
    /// a large estate costs the size of its change, not of the file.
    /// </summary>
    public static string FromEdits(string path, string text, LineIndex lines, IReadOnlyList<Yaml.TextEdit> edits, int context = 3)
    {
        if (edits.Count == 0)
            return "";
        // Edits far apart (a prefix set gaining prefixes all over a long list) are hunks of their own, each diffed
        // alone: the diff stays the size of the change, and so does the work.
        var result = new StringBuilder();
        var shift = 0;
        foreach (var cluster in Clusters(edits, lines, context))
        {
            var hunk = Hunk(path, text, lines, cluster, context, shift);
            if (hunk.Length == 0)
                continue;
            var header = HunkHeader().Match(hunk);
            shift += int.Parse(header.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture) - int.Parse(header.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            result.Append(result.Length == 0 ? hunk : hunk[header.Index..]);
        }
        return result.ToString();
    }

    private static List<List<Yaml.TextEdit>> Clusters(IReadOnlyList<Yaml.TextEdit> edits, LineIndex lines, int context)
    {
        var clusters = new List<List<Yaml.TextEdit>>();
        var lastLine = int.MinValue;
        foreach (var edit in edits.OrderBy(e => e.Start).ThenBy(e => e.End))
        {
            var first = lines.LineOf(edit.Start);
            var last = lines.LineOf(Math.Max(edit.End - 1, edit.Start));
            if (clusters.Count == 0 || first > lastLine + 2 * context + 1)
                clusters.Add([]);
            clusters[^1].Add(edit);
            lastLine = Math.Max(lastLine, last);
        }
        return clusters;
    }

    private static string Hunk(string path, string text, LineIndex lines, List<Yaml.TextEdit> edits, int context, int shift)
    {
        var first = lines.LineOf(edits.Min(e => e.Start));
        var last = lines.LineOf(Math.Max(edits.Max(e => e.End) - 1, edits.Max(e => e.Start)));
        var from = Math.Max(0, first - context);
        var to = Math.Min(lines.Count - 1, last + context);
        var start = lines.StartOf(from);
        var end = lines.EndOf(to);
        var before = text[start..end];
        var after = Yaml.YamlTextEdits.Apply(before, edits.Select(e => e with { Start = e.Start - start, End = e.End - start }));
        var diff = Create(path, before, after, context);
        // Create numbers lines from the excerpt; shift its hunk header to the file's own line numbers.
        return from == 0 && shift == 0 ? diff : HunkHeader().Replace(diff, m =>
            $"@@ -{int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + from},{m.Groups[2].Value} +{int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) + from + shift},{m.Groups[4].Value} @@");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^@@ -(\d+),(\d+) \+(\d+),(\d+) @@", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex HunkHeader();

    public static string Create(string path, string before, string after, int context = 3)
    {
        var a = Lines(before);
        var b = Lines(after);
        // Edits are local: compare only what lies between the common head and tail.
        var head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head])
            head++;
        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[^(tail + 1)] == b[^(tail + 1)])
            tail++;
        var ops = Middle(a[head..^tail], b[head..^tail]);
        if (ops.Count == 0)
            return "";

        var text = new StringBuilder().Append("--- a/").Append(path).Append('\n').Append("+++ b/").Append(path).Append('\n');
        var from = Math.Max(0, head - context);
        var lines = new List<string>();
        lines.AddRange(a[from..head].Select(l => " " + l));
        lines.AddRange(ops);
        var afterEnd = Math.Min(a.Length, a.Length - tail + context);
        lines.AddRange(a[(a.Length - tail)..afterEnd].Select(l => " " + l));
        var oldCount = lines.Count(l => l[0] != '+');
        var newCount = lines.Count(l => l[0] != '-');
        text.Append($"@@ -{from + 1},{oldCount} +{from + 1},{newCount} @@\n");
        foreach (var line in lines)
            text.Append(line).Append('\n');
        return text.ToString();
    }

    private static string[] Lines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');

    /// <summary>Longest common subsequence of the differing middle; small, since edits touch a few lines.</summary>
    private static List<string> Middle(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var ops = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add(" " + a[x++]);
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] > lcs[x + 1, y]))
                ops.Add("+" + b[y++]);
            else
                ops.Add("-" + a[x++]);
        }
        return ops;
    }
}
