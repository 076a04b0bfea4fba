namespace Reconciler.Yaml;

/// <summary>
/// A pass over the raw text that estimates how deep the YAML nests, before any parser recurses into it:
/// ~9,000 nested '[' (18 KB) overflow the stack inside YamlDotNet, and a stack overflow cannot be caught.
/// Flow depth counts '[' and '{' outside quotes and comments; block depth counts indentation levels and the
/// '- ' and '? ' indicators that open a nested node on the same line. The estimate errs low for block nesting
/// (a list under a key at the same indentation is not counted); <see cref="YamlTreeReader"/> checks the exact
/// depth as it builds, so this scan only has to stop what would crash before that.
/// </summary>
public static class YamlDepthScan
{
    public const int MaxDepth = 64;

    /// <summary>Where the text first nests deeper than <see cref="MaxDepth"/> (1-based), or null.</summary>
    public static (int Line, int Column)? FindTooDeep(string text)
    {
        var flow = 0;
        var quote = '\0';
        var blockScalarIndent = -1;
        var indents = new List<int>();
        var lineNumber = 0;
        var valueStart = true;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var indent = 0;
            while (indent < line.Length && line[indent] == ' ')
                indent++;
            var blank = indent == line.Length || line[indent] == '#';
            if (blockScalarIndent >= 0)
            {
                if (blank || indent > blockScalarIndent)
                    continue;
                blockScalarIndent = -1;
            }
            var inBlockContext = quote == '\0' && flow == 0;
            if (inBlockContext)
            {
                if (blank)
                    continue;
                while (indents.Count > 0 && indents[^1] > indent)
                    indents.RemoveAt(indents.Count - 1);
                if (indents.Count == 0 || indents[^1] < indent)
                    indents.Add(indent);
                valueStart = true;
            }
            var depth = indents.Count;
            for (var i = inBlockContext ? indent : 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quote == '"')
                {
                    if (c == '\\')
                        i++;
                    else if (c == '"')
                        quote = '\0';
                    continue;
                }
                if (quote == '\'')
                {
                    if (c == '\'' && i + 1 < line.Length && line[i + 1] == '\'')
                        i++;
                    else if (c == '\'')
                        quote = '\0';
                    continue;
                }
                if (c is ' ' or '\t')
                    continue;
                if (c == '#' && (i == 0 || line[i - 1] is ' ' or '\t'))
                    break;
                var separated = i + 1 == line.Length || line[i + 1] is ' ' or '\t';
                if (c is '[' or '{' && (valueStart || flow > 0))
                {
                    flow++;
                    valueStart = true;
                    if (depth + flow > MaxDepth)
                        return (lineNumber, i + 1);
                    continue;
                }
                if (valueStart)
                {
                    if (c is '"' or '\'')
                    {
                        quote = c;
                        valueStart = false;
                        continue;
                    }
                    if (flow == 0 && c is '-' or '?' && separated)
                    {
                        if (++depth + flow > MaxDepth)
                            return (lineNumber, i + 1);
                        continue;
                    }
                    if (flow == 0 && c is '|' or '>')
                    {
                        blockScalarIndent = indent;
                        break;
                    }
                    if (c is '&' or '!')
                    {
                        // An anchor or a tag comes before the node it names.
                        while (i + 1 < line.Length && line[i + 1] is not (' ' or '\t'))
                            i++;
                        continue;
                    }
                }
                if (flow > 0)
                {
                    if (c is ']' or '}')
                    {
                        flow--;
                        valueStart = false;
                    }
                    else
                    {
                        valueStart = c is ',' or ':';
                    }
                    continue;
                }
                valueStart = c == ':' && separated;
            }
        }
        return null;
    }
}
