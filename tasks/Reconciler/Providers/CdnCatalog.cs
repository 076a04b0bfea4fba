namespace Reconciler.Providers;

/// <summary>
/// CDNs and WAFs known by the names their edges answer to (the end of a CNAME chain) or by their published ranges:
/// those with a feed say so in it (<see cref="ProviderFeed.EdgeDomains"/>, <see cref="ProviderFeed.CdnOf"/>); the
/// others, known by name only, are listed here.
/// </summary>
public static class CdnCatalog
{
    private static readonly (string Suffix, string Cdn)[] WithoutFeed =
    [
        (".akamaiedge.net", "Akamai"),
        (".akamai.net", "Akamai"),
        (".edgekey.net", "Akamai"),
        (".edgesuite.net", "Akamai"),
        (".akamaized.net", "Akamai"),
        (".fastly.net", "Fastly"),
        (".fastlylb.net", "Fastly"),
        (".azurefd.net", "Azure Front Door"),
        (".azureedge.net", "Azure CDN"),
    ];

    /// <summary>Domain suffix of an edge name to the CDN that serves it.</summary>
    public static IReadOnlyList<(string Suffix, string Cdn)> EdgeDomains { get; } = [.. ProviderFeeds.All.SelectMany(f => f.EdgeDomains), .. WithoutFeed];

    private static readonly Dictionary<string, ProviderFeed> FeedsByName = ProviderFeeds.All.ToDictionary(f => f.Name);

    public static string? CdnOfName(string name) =>
        EdgeDomains.FirstOrDefault(e => ("." + name.TrimEnd('.')).EndsWith(e.Suffix, StringComparison.OrdinalIgnoreCase)).Cdn;

    /// <summary>The CDN whose published ranges hold an address, from the owners the prefix index gives.</summary>
    public static string? CdnOfOwners(IEnumerable<ProviderPrefix> owners) =>
        owners.Select(o => FeedsByName.TryGetValue(o.Provider, out var feed) ? feed.CdnOf(o) : null).FirstOrDefault(c => c is not null);
}
