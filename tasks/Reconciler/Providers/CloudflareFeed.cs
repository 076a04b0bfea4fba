namespace Reconciler.Providers;

/// <summary>Cloudflare's ips-v4 and ips-v6 lists, one CIDR a line, with no date of their own. All of it is a CDN.</summary>
public sealed class CloudflareFeed : ProviderFeed
{
    private static readonly Uri V4 = new("https://www.cloudflare.com/ips-v4");
    private static readonly Uri V6 = new("https://www.cloudflare.com/ips-v6");
    private const string SavedV4 = "cloudflare-ips-v4*.txt";
    private const string SavedV6 = "cloudflare-ips-v6*.txt";

    public override string Name => "cloudflare";

    public override IReadOnlyList<string> SavedFilePatterns { get; } = [SavedV4, SavedV6];

    public override IReadOnlyList<(string Suffix, string Cdn)> EdgeDomains { get; } = [(".cdn.cloudflare.net", "Cloudflare"), (".cloudflare.net", "Cloudflare")];

    public override async Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> FetchAsync(HttpClient http, DateTimeOffset now, CancellationToken cancellationToken) =>
        Parse(await http.GetStringAsync(V4, cancellationToken), await http.GetStringAsync(V6, cancellationToken), FeedParsers.Today(now));

    public override async Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> ReadSavedAsync(SavedFeedFolder folder, CancellationToken cancellationToken) =>
        Parse(await folder.ReadAsync(SavedV4, cancellationToken), await folder.ReadAsync(SavedV6, cancellationToken), folder.DateOf(SavedV4));

    public override string? CdnOf(ProviderPrefix prefix) => "Cloudflare";

    public static (FeedInfo Feed, List<ProviderPrefix> Prefixes) Parse(string v4, string v6, string date)
    {
        var lines = (v4 + "\n" + v6).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
            throw new FormatException("the Cloudflare lists are empty");
        return (new FeedInfo("cloudflare", date, "-"), [.. lines.Select(l => new ProviderPrefix("cloudflare", "-", "-", FeedParsers.Network(l)))]);
    }
}
