using Reconciler.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Reconciler.Yaml;

/// <summary>
/// Reads one YAML document into <see cref="YamlNode"/>s from YamlDotNet's event stream. Aliases point at the
/// anchored node (no copy), and every node's expanded size is counted as it is built, so a
/// "billion laughs" file is refused after a few microseconds instead of eating the machine later.
/// </summary>
public static class YamlTreeReader
{
    public const long MaxExpandedNodes = 100_000;

    public sealed record Result(YamlNode? Root, IReadOnlyList<PolicyError> Errors);

    public static Result Read(string text, string file)
    {
        var errors = new List<PolicyError>();
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
                return new Result(null, errors);
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, file, anchors, errors);
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
            errors.Add(new PolicyError(At(file, e.Start), "YAML syntax error: " + Describe(e)));
            return new Result(null, errors);
        }
    }

    private static YamlNode ReadNode(IParser parser, string file, Dictionary<string, YamlNode> anchors, List<PolicyError> errors)
    {
        YamlNode node;
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var target))
                throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor above it");
            return target;
        }
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
                    var item = ReadNode(parser, file, anchors, errors);
                    size = Grow(size, item, seqStart.Start);
                    items.Add(item);
                }
            }
            catch (YamlException e) when (IsUnclosed(e, isFlow))
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
                    var key = ReadNode(parser, file, anchors, errors);
                    var value = ReadNode(parser, file, anchors, errors);
                    size = Grow(Grow(size, key, mapStart.Start), value, mapStart.Start);
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
            catch (YamlException e) when (IsUnclosed(e, isFlow))
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
    private static bool IsUnclosed(YamlException e, bool isFlow) =>
        isFlow && e is not RefusedYamlException && e.Message.Contains("did not find expected ','", StringComparison.Ordinal);

    private static YamlException Unclosed(NodeEvent start, string what, char closer) =>
        new(start.Start, start.End, $"this flow {what} is never closed: a '{closer}' or ',' is missing");

    private static long Grow(long size, YamlNode child, Mark collection)
    {
        size += child.ExpandedSize;
        if (size > MaxExpandedNodes)
            throw new RefusedYamlException(collection, $"aliases expand to more than {MaxExpandedNodes:N0} nodes; refusing the file (an alias bomb?)");
        return size;
    }

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
