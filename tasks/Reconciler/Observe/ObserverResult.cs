using Reconciler.Findings;

namespace Reconciler.Observe;

/// <summary>
/// The one shape every observer returns: the findings only it can make (a blocked probe, an egress address that
/// moved, a live rule that drifted), the notes on what it could not look at, and the probes it made, for the metrics.
/// </summary>
public sealed record ObserverResult(IReadOnlyList<Finding> Findings, IReadOnlyList<string> Notes)
{
    public static ObserverResult None { get; } = new([], []);

    public static ObserverResult Note(string note) => new([], [note]);

    /// <summary>Every probe made (the first try of each address, with the identity's user agent).</summary>
    public IReadOnlyList<ProbeSample> Probes { get; init; } = [];

    public ObserverResult And(ObserverResult other) =>
        new([.. Findings, .. other.Findings], [.. Notes, .. other.Notes]) { Probes = [.. Probes, .. other.Probes] };
}
