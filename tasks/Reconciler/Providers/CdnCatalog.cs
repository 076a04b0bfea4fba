namespace Reconciler.Providers;

/// <summary>CDNs and WAFs known by the names their edges answer to (the end of a CNAME chain) or by their published ranges.</summary>
public static class CdnCatalog
{
    /// <summary>Domain suffix of an edge name to the CDN that serves it.</summary>
    public static IReadOnlyList<(string Suffix, string Cdn)> EdgeDomains { get; } =
    [
        (".cdn.cloudflare.net", "Cloudflare"),
        (".cloudflare.net", "Cloudflare"),
        (".akamaiedge.net", "Akamai"),
        (".akamai.net", "Akamai"),
        (".edgekey.net", "Akamai"),
        (".edgesuite.net", "Akamai"),
        (".akamaized.net", "Akamai"),
        (".fastly.net", "Fastly"),
        (".fastlylb.net", "Fastly"),
        (".cloudfront.net", "CloudFront"),
        (".azurefd.net", "Azure Front Door"),
        (".azureedge.net", "Azure CDN"),
    ];

    public static string? CdnOfName(string name) =>
        EdgeDomains.FirstOrDefault(e => ("." + name.TrimEnd('.')).EndsWith(e.Suffix, StringComparison.OrdinalIgnoreCase)).Cdn;

    /// <summary>The CDN whose published ranges hold an address, from the owners the prefix index gives.</summary>
    public static string? CdnOfOwners(IEnumerable<ProviderPrefix> owners) => owners.Select(o => (o.Provider, o.Service) switch
    {
        ("cloudflare", _) => "Cloudflare",
        ("aws", "CLOUDFRONT") => "CloudFront",
        _ => null,
    }).FirstOrDefault(c => c is not null);
}
