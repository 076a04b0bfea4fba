using Reconciler.Diagnostics;

namespace Reconciler.Policies.Model;

/// <summary>A third party we call: which hosts and ports, and how their addresses are tracked.</summary>
public sealed record Dependency
{
    public required string Name { get; init; }
    public string? Owner { get; init; }
    public required IReadOnlyList<Located<string>> Hosts { get; init; }
    public required IReadOnlyList<int> Ports { get; init; }
    public TrackMode Track { get; init; } = TrackMode.Dns;
    public string? Identity { get; init; }
    public ProbeSpec? Probe { get; init; }
    public ProviderRef? Provider { get; init; }
    /// <summary>Private-use networks (<c>private_ranges</c>) this dependency is really reached at, e.g. a cloud interface endpoint's subnet: answers inside them may be proposed.</summary>
    public IReadOnlyList<Located<System.Net.IPNetwork>> PrivateRanges { get; init; } = [];
    public required SourceLocation Location { get; init; }
}

/// <summary>An HTTP(S) request made with the dependency's identity to see how the partner treats us.</summary>
public sealed record ProbeSpec(Uri Url, IReadOnlyList<int> ExpectStatus, SourceLocation Location);

/// <summary>The provider feed entries a <c>track: provider</c> dependency lives in.</summary>
public sealed record ProviderRef(string Name, string? Service, IReadOnlyList<string> Regions, SourceLocation Location);
