namespace Reconciler.Providers;

/// <summary>The feeds Reconciler knows, in the order they are refreshed and listed.</summary>
public static class ProviderFeeds
{
    public static IReadOnlyList<ProviderFeed> All { get; } = [new AwsFeed(), new CloudflareFeed(), new GitHubFeed(), new GoogleFeed()];
}
