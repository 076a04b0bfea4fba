namespace Reconciler.Yaml;

/// <summary>Where a node's text starts and ends in its file (character offsets).</summary>
public readonly record struct TextSpan(int Start, int End);

/// <summary>A YAML list's span, and whether it is written <c>[a, b]</c> (flow) or one <c>- item</c> per line (block).</summary>
public sealed record ListSpan(int Start, int End, bool IsFlow);
