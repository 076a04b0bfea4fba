using Reconciler.Diagnostics;

namespace Reconciler.Yaml;

/// <summary>
/// A YAML node that remembers where it stands in its file: the location for messages, and the character
/// span so that later edits can replace exactly this node's text and nothing around it.
/// </summary>
public abstract record YamlNode(SourceLocation Location, int Start, int End)
{
    /// <summary>Nodes this one stands for once aliases are expanded: what an alias to it adds to the alias budget.</summary>
    public long ExpandedSize { get; init; } = 1;

    public abstract string KindName { get; }
}

public sealed record YamlScalar(SourceLocation Location, int Start, int End, string Value, bool IsPlain)
    : YamlNode(Location, Start, End)
{
    /// <summary>A plain <c>~</c>, <c>null</c> or empty scalar: YAML's null.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "null" : "a scalar";
}

public sealed record YamlSequence(SourceLocation Location, int Start, int End, IReadOnlyList<YamlNode> Items, bool IsFlow)
    : YamlNode(Location, Start, End)
{
    public override string KindName => "a list";
}

public sealed record YamlMapping(SourceLocation Location, int Start, int End, IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries)
    : YamlNode(Location, Start, End)
{
    public override string KindName => "a mapping";
}
