using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Yaml;

namespace Reconciler.Policies.Model;

/// <summary>
/// A named list of prefixes that rules admit by reference (<c>prefix_set:</c>), kept in a file of its own with one
/// prefix per line. With a <see cref="Provider"/>, Reconciler keeps it in step with that provider's published feed,
/// so a feed change is reviewed as that many lines in one place, whichever allowlists use the set (README, Providers).
/// </summary>
public sealed record PrefixSet
{
    public required string Name { get; init; }
    public ProviderRef? Provider { get; init; }
    public required IReadOnlyList<Located<IPNetwork>> Prefixes { get; init; }
    /// <summary>The <c>prefixes:</c> list, so that plans can add to it and take from it.</summary>
    public ListSpan? PrefixesList { get; init; }
    /// <summary>The set's own text, so that an edit can add a <c>prefixes:</c> key to it.</summary>
    public TextSpan Span { get; init; }
    public required SourceLocation Location { get; init; }
}
