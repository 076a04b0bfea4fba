using System.Text.Json;

namespace Reconciler.Providers;

/// <summary>GitHub's meta API: each array of CIDRs (hooks, web, api, git, actions…) is a service; no date of its own.</summary>
public sealed class GitHubFeed : ProviderFeed
{
    private static readonly Uri Meta = new("https://api.github.com/meta");
    private const string Saved = "github-meta*.json";

    public override string Name => "github";

    public override IReadOnlyList<string> SavedFilePatterns { get; } = [Saved];

    public override async Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> FetchAsync(HttpClient http, DateTimeOffset now, CancellationToken cancellationToken) =>
        Parse(await http.GetStringAsync(Meta, cancellationToken), FeedParsers.Today(now));

    public override async Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> ReadSavedAsync(SavedFeedFolder folder, CancellationToken cancellationToken) =>
        Parse(await folder.ReadAsync(Saved, cancellationToken), folder.DateOf(Saved));

    public static (FeedInfo Feed, List<ProviderPrefix> Prefixes) Parse(string json, string date) => FeedParsers.Json(json, root =>
    {
        var prefixes = new List<ProviderPrefix>();
        foreach (var property in root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array && p.Name != "ssh_keys"))
        {
            foreach (var item in property.Value.EnumerateArray())
                prefixes.Add(new ProviderPrefix("github", property.Name, "-", FeedParsers.Network(item.GetString() ?? throw new FormatException($"a non-string in {property.Name}"))));
        }
        if (prefixes.Count == 0)
            throw new FormatException("GitHub meta lists no prefixes");
        return (new FeedInfo("github", date, "-"), prefixes);
    });
}
