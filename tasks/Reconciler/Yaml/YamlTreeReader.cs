using Reconciler.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Reconciler.Yaml;

/// <summary>
/// Reads one YAML document into <see cref="YamlNode"/>s from YamlDotNet's event stream. Aliases point at the
/// anchored node (no copy); the nodes that aliases stand for are counted as they are used, so a
/// "billion laughs" file is refused after a few microseconds instead of eating the machine later, while a large
/// file without aliases is just large. Nesting is limited before YamlDotNet (or this reader) can recurse into it.
/// </summary>
public static class YamlTreeReader
{
    /// <summary>Nodes that aliases may add once expanded, over the whole file.</summary>
    public const long MaxAliasExpansion = 100_000;

    /// <summary>Deeper than any policy (they nest six levels); deep enough to never bother a person.</summary>
    public const int MaxDepth = YamlDepthScan.MaxDepth;

    public sealed record Result(YamlNode? Root, IReadOnlyList<PolicyError> Errors);

    public static Result Read(string text, string file)
    {
        var errors = new List<PolicyError>();
        if (YamlDepthScan.FindTooDeep(text) is { } deep)
        {
            errors.Add(new PolicyError(new SourceLocation(file, deep.Line, deep.Column), $"nesting deeper than {MaxDepth} levels; refusing the file (policies nest a few levels)"));
            return new Result(null, errors);
        }
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var budget = new Budget();
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
                return new Result(null, errors);
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, file, anchors, errors, budget, 1);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
                errors.Add(new PolicyError(At(file, second.Start), "a policy file holds one YAML document; split this one into two files"));
            return new Result(errors.Count == 0 ? root : null, errors);
        }
        catch (RefusedYamlException e)
        {
            errors.Add(new PolicyError(At(file, e.Start), e.Reason));
            return new Result(null, errors);
        }
        catch (YamlException e)
        {
            errors.Add(YamlSyntaxMessages.Explain(Describe(e), At(file, e.Start), text));
            return new Result(null, errors);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            // YamlDotNet's own failures on some malformed input: still the file's fault, so still file:line:col.
            var at = parser.Current is { } current ? At(file, current.Start) : new SourceLocation(file, 1, 1);
            errors.Add(new PolicyError(at, "YAML syntax error: the parser cannot read on from here; check the quotes, brackets and indentation of this line and the next"));
            return new Result(null, errors);
        }
    }

    private sealed class Budget
    {
        public long AliasExpansion;
    }

    private static YamlNode ReadNode(IParser parser, string file, Dictionary<string, YamlNode> anchors, List<PolicyError> errors, Budget budget, int depth)
    {
        YamlNode node;
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var target))
                throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor above it");
            budget.AliasExpansion += target.ExpandedSize;
            if (budget.AliasExpansion > MaxAliasExpansion)
                throw new RefusedYamlException(alias.Start, $"aliases expand to more than {MaxAliasExpansion:N0} nodes; refusing the file (an alias bomb?)");
            return target;
        }
        if (depth > MaxDepth)
            throw new RefusedYamlException(parser.Current!.Start, $"nesting deeper than {MaxDepth} levels; refusing the file (policies nest a few levels)");
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            node = new YamlScalar(At(file, scalar.Start), (int)scalar.Start.Index, (int)scalar.End.Index, scalar.Value, scalar.Style == ScalarStyle.Plain);
            return Remember(scalar, node, anchors);
        }
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var items = new List<YamlNode>();
            long size = 1;
            SequenceEnd seqEnd;
            var isFlow = seqStart.Style == SequenceStyle.Flow;
            try
            {
                while (!parser.TryConsume<SequenceEnd>(out seqEnd!))
                {
                    var item = ReadNode(parser, file, anchors, errors, budget, depth + 1);
                    size += item.ExpandedSize;
                    items.Add(item);
                }
            }
            catch (Exception e) when (IsUnclosed(e, isFlow))
            {
                throw Unclosed(seqStart, "list", ']');
            }
            // A flow sequence's end mark stands on its ']': the text runs one past it.
            var end = isFlow ? (int)seqEnd.Start.Index + 1 : items.Count == 0 ? (int)seqEnd.End.Index : items[^1].End;
            node = new YamlSequence(At(file, seqStart.Start), (int)seqStart.Start.Index, end, items, isFlow) { ExpandedSize = size };
            return Remember(seqStart, node, anchors);
        }
        if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
            var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
            long size = 1;
            MappingEnd mapEnd;
            var isFlow = mapStart.Style == MappingStyle.Flow;
            try
            {
                while (!parser.TryConsume<MappingEnd>(out mapEnd!))
                {
                    var key = ReadNode(parser, file, anchors, errors, budget, depth + 1);
                    var value = ReadNode(parser, file, anchors, errors, budget, depth + 1);
                    size += key.ExpandedSize + value.ExpandedSize;
                    if (key is not YamlScalar keyScalar)
                    {
                        errors.Add(new PolicyError(key.Location, $"a mapping key must be a plain name, not {key.KindName}"));
                        continue;
                    }
                    if (seen.TryGetValue(keyScalar.Value, out var first))
                    {
                        errors.Add(new PolicyError(keyScalar.Location, $"duplicate key '{keyScalar.Value}' (first at line {first.Location.Line}); YAML keeps only one of them"));
                        continue;
                    }
                    seen.Add(keyScalar.Value, keyScalar);
                    entries.Add(new(keyScalar, value));
                }
            }
            catch (Exception e) when (IsUnclosed(e, isFlow))
            {
                throw Unclosed(mapStart, "mapping", '}');
            }
            var end = isFlow ? (int)mapEnd.Start.Index + 1 : entries.Count == 0 ? (int)mapEnd.End.Index : entries[^1].Value.End;
            node = new YamlMapping(At(file, mapStart.Start), (int)mapStart.Start.Index, end, entries) { ExpandedSize = size };
            return Remember(mapStart, node, anchors);
        }
        var unexpected = parser.Current!;
        throw new YamlException(unexpected.Start, unexpected.End, $"unexpected {unexpected.GetType().Name}");
    }

    // YamlDotNet reports an unclosed '[' or '{' where the file ends, which can be far below; the person
    // needs the line where it was opened. The innermost collection rewrites the message first, so outer ones
    // no longer match and leave it alone.
    // YamlDotNet 18 also fails some unclosed flow collections with an InvalidOperationException from its scanner.
    private static bool IsUnclosed(Exception e, bool isFlow) =>
        isFlow && e is not RefusedYamlException
        && (e is InvalidOperationException || (e is YamlException && e.Message.Contains("did not find expected ','", StringComparison.Ordinal)));

    private static YamlException Unclosed(NodeEvent start, string what, char closer) =>
        new(start.Start, start.End, $"this flow {what} is never closed: a '{closer}' or ',' is missing");

    private static YamlNode Remember(NodeEvent e, YamlNode node, Dictionary<string, YamlNode> anchors)
    {
        if (!e.Anchor.IsEmpty)
            anchors[e.Anchor.Value] = node;
        return node;
    }

    private static SourceLocation At(string file, Mark mark) =>
        new(file, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (…): "; the location is already ours.
    private static string Describe(YamlException e)
    {
        var message = e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(cut + 3)..] : message;
    }

    /// <summary>Valid YAML that we refuse to expand; not a syntax error, so it gets its own message.</summary>
    private sealed class RefusedYamlException(Mark at, string reason) : YamlException(at, at, reason)
    {
        public string Reason { get; } = reason;
    }
}
