using Reconciler.Diagnostics;

namespace Reconciler.Policies.Model;

/// <summary>A value with the place in the policy file it came from (and its text span, for in-place edits).</summary>
public readonly record struct Located<T>(T Value, SourceLocation Location, int Start, int End)
{
    public override string ToString() => Value?.ToString() ?? "";
}
