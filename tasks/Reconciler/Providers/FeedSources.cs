namespace Reconciler.Providers;

/// <summary>One feed's outcome in a refresh: its new part of the snapshot, or why it keeps the old one.</summary>
public sealed record FeedResult(string Provider, (FeedInfo Feed, List<ProviderPrefix> Prefixes)? Parsed, string? Error);

/// <summary>
/// Where the feeds come from, for each of <see cref="ProviderFeeds.All"/>: the providers themselves, or a folder of
/// saved copies (<c>--feeds=DIR</c>: for air-gapped runs and for tests; see each feed's saved-file patterns).
/// </summary>
public static class FeedSources
{
    public static async Task<IReadOnlyList<FeedResult>> FetchAsync(HttpClient http, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var results = new List<FeedResult>();
        foreach (var feed in ProviderFeeds.All)
            results.Add(await Try(feed.Name, () => feed.FetchAsync(http, now, cancellationToken), cancellationToken));
        return results;
    }

    /// <summary>Saved feeds named as the providers publish them, the newest of each by name.</summary>
    public static async Task<IReadOnlyList<FeedResult>> ReadAsync(string directory, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var folder = new SavedFeedFolder(directory, now);
        var results = new List<FeedResult>();
        foreach (var feed in ProviderFeeds.All)
            results.Add(await Try(feed.Name, () => feed.ReadSavedAsync(folder, cancellationToken), cancellationToken));
        return results;
    }

    /// <summary>
    /// One feed's fetch, standing alone: whatever makes it fail (no network, a refused connection, a truncated file)
    /// is that feed's failure, named, and the others still run. Only the run's own cancellation stops the refresh.
    /// </summary>
    private static async Task<FeedResult> Try(string provider, Func<Task<(FeedInfo, List<ProviderPrefix>)>> fetch, CancellationToken cancellationToken)
    {
        try
        {
            return new FeedResult(provider, await fetch().ConfigureAwait(false), null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new FeedResult(provider, null, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
