using Reconciler.Diagnostics;

namespace Reconciler.Policies.Model;

/// <summary>
/// A finding that people decided to live with for a while. It always has a reason and an expiry date:
/// silence that never ends is how drift gets forgotten.
/// </summary>
public sealed record IgnoreEntry
{
    public string? Dependency { get; init; }
    public string? Kind { get; init; }
    public string? Subject { get; init; }
    public required string Reason { get; init; }
    public required DateOnly Expires { get; init; }
    public required SourceLocation Location { get; init; }
}
