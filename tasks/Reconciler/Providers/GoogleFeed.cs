namespace Reconciler.Providers;

/// <summary>Google Cloud's cloud.json: <c>prefixes[]</c> with ipv4Prefix or ipv6Prefix, service and scope (the region).</summary>
public sealed class GoogleFeed : ProviderFeed
{
    private static readonly Uri Cloud = new("https://www.gstatic.com/ipranges/cloud.json");
    private const string Saved = "google-cloud*.json";

    public override string Name => "google";

    public override IReadOnlyList<string> SavedFilePatterns { get; } = [Saved];

    public override async Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> FetchAsync(HttpClient http, DateTimeOffset now, CancellationToken cancellationToken) =>
        Parse(await http.GetStringAsync(Cloud, cancellationToken));

    public override async Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> ReadSavedAsync(SavedFeedFolder folder, CancellationToken cancellationToken) =>
        Parse(await folder.ReadAsync(Saved, cancellationToken));

    public static (FeedInfo Feed, List<ProviderPrefix> Prefixes) Parse(string json) => FeedParsers.Json(json, root =>
    {
        var prefixes = new List<ProviderPrefix>();
        foreach (var item in FeedParsers.Required(root, "prefixes").EnumerateArray())
        {
            var prefix = item.TryGetProperty("ipv4Prefix", out var v4) ? v4.GetString() : item.TryGetProperty("ipv6Prefix", out var v6) ? v6.GetString() : null;
            prefixes.Add(new ProviderPrefix("google", FeedParsers.Text(item, "service"), FeedParsers.Text(item, "scope"), FeedParsers.Network(prefix ?? throw new FormatException("a prefix without ipv4Prefix or ipv6Prefix"))));
        }
        return (new FeedInfo("google", FeedParsers.Text(root, "creationTime")[..10], FeedParsers.Text(root, "syncToken")), prefixes);
    });
}
