using Reconciler.Policies.Model;

namespace Reconciler.Providers;

/// <summary>The snapshot and its index, built once per run and shared by every check that asks who owns an address.</summary>
public sealed class ProviderKnowledge(ProviderSnapshot snapshot)
{
    private readonly Lazy<PrefixIndex> _index = new(() => new PrefixIndex(snapshot.Prefixes));

    public ProviderSnapshot Snapshot => snapshot;

    /// <summary>Where the snapshot was read from, for notes and findings: a file, or the copy built into the library.</summary>
    public string Source { get; init; } = "built into the library";

    public PrefixIndex Index => _index.Value;

    /// <summary>
    /// Whether the snapshot holds this provider's feed and it publishes something for the block: a feed that did not
    /// load, or names nothing for the service, proves nothing, so nothing is removed on its word.
    /// </summary>
    public bool HasFeedFor(ProviderRef provider) =>
        snapshot.Feeds.Any(f => f.Provider == provider.Name) && Published(provider).Count > 0;

    /// <summary>The prefixes a <c>provider:</c> block stands for: its provider, and its service and regions where it names them.</summary>
    public IReadOnlyList<ProviderPrefix> Published(ProviderRef provider) =>
    [
        .. snapshot.Prefixes.Where(p => p.Provider == provider.Name
            && (provider.Service is null || p.Service == provider.Service)
            && (provider.Regions.Count == 0 || provider.Regions.Contains(p.Region))),
    ];
}
