namespace Reconciler.Providers;

/// <summary>
/// One provider's published address feed: everything a new feed needs is a subclass in a file of its own, listed in
/// <see cref="ProviderFeeds.All"/>. The catalogue of names a <c>provider:</c> block may use, the CDN list and both
/// sources (the network, a <c>--feeds</c> folder) are derived from these.
/// </summary>
public abstract class ProviderFeed
{
    /// <summary>The name policies use in <c>provider: { name: … }</c> and the snapshot's first column.</summary>
    public abstract string Name { get; }

    /// <summary>The names a saved copy of the feed has in a <c>--feeds</c> folder (the newest by name is read).</summary>
    public abstract IReadOnlyList<string> SavedFilePatterns { get; }

    /// <summary>Edge names (a CNAME chain's end) that show a host is served by this feed's CDN; none if it is not a CDN.</summary>
    public virtual IReadOnlyList<(string Suffix, string Cdn)> EdgeDomains => [];

    /// <summary>Fetches the feed from the provider and parses it; throws when either fails.</summary>
    public abstract Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> FetchAsync(HttpClient http, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Reads and parses the newest saved copy; throws when there is none or it does not parse.</summary>
    public abstract Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> ReadSavedAsync(SavedFeedFolder folder, CancellationToken cancellationToken);

    /// <summary>The CDN whose ranges hold a prefix of this feed, or null when that prefix is not a CDN's.</summary>
    public virtual string? CdnOf(ProviderPrefix prefix) => null;

    /// <summary>The service names a policy may give, from this feed's entries in the snapshot.</summary>
    public virtual IReadOnlySet<string> Services(IEnumerable<ProviderPrefix> own) => Named(own, p => p.Service);

    /// <summary>The region names a policy may give, from this feed's entries in the snapshot.</summary>
    public virtual IReadOnlySet<string> Regions(IEnumerable<ProviderPrefix> own) => Named(own, p => p.Region);

    protected static HashSet<string> Named(IEnumerable<ProviderPrefix> own, Func<ProviderPrefix, string> field) =>
        [.. own.Select(field).Where(v => v != "-")];
}
