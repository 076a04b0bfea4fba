using Amazon.Util;

namespace Reconciler.Providers;

/// <summary>One feed's outcome in a refresh: its new part of the snapshot, or why it keeps the old one.</summary>
public sealed record FeedResult(string Provider, (FeedInfo Feed, List<ProviderPrefix> Prefixes)? Parsed, string? Error);

/// <summary>
/// Where the feeds come from: the providers themselves (AWS through AWSSDK.Core's <see cref="AWSPublicIpAddressRanges"/>),
/// or a folder of saved copies (<c>--feeds=DIR</c>: for air-gapped runs and for tests).
/// </summary>
public static class FeedSources
{
    public static readonly Uri CloudflareV4 = new("https://www.cloudflare.com/ips-v4");
    public static readonly Uri CloudflareV6 = new("https://www.cloudflare.com/ips-v6");
    public static readonly Uri GitHubMeta = new("https://api.github.com/meta");
    public static readonly Uri GoogleCloud = new("https://www.gstatic.com/ipranges/cloud.json");

    public static async Task<IReadOnlyList<FeedResult>> FetchAsync(HttpClient http, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = FeedParsers.Today(now);
        return
        [
            await Try("aws", () => Task.Run(() => Aws(AWSPublicIpAddressRanges.Load()), cancellationToken), cancellationToken),
            await Try("cloudflare", async () => FeedParsers.Cloudflare(
                await http.GetStringAsync(CloudflareV4, cancellationToken), await http.GetStringAsync(CloudflareV6, cancellationToken), today), cancellationToken),
            await Try("github", async () => FeedParsers.GitHub(await http.GetStringAsync(GitHubMeta, cancellationToken), today), cancellationToken),
            await Try("google", async () => FeedParsers.Google(await http.GetStringAsync(GoogleCloud, cancellationToken)), cancellationToken),
        ];
    }

    /// <summary>
    /// Saved feeds named as the providers publish them, the newest of each by name: aws-ip-ranges*.json,
    /// cloudflare-ips-v4*.txt and cloudflare-ips-v6*.txt, github-meta*.json, google-cloud*.json.
    /// </summary>
    public static async Task<IReadOnlyList<FeedResult>> ReadAsync(string directory, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string? Newest(string pattern) => Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal).LastOrDefault();
        Task<string> Read(string pattern) => Newest(pattern) is { } file ? File.ReadAllTextAsync(file, cancellationToken) : throw new FileNotFoundException($"no {pattern} in {directory}");
        string DateOf(string pattern) => Newest(pattern) is { } file && System.Text.RegularExpressions.Regex.Match(file, @"\d{4}-\d{2}-\d{2}") is { Success: true } m ? m.Value : FeedParsers.Today(now);

        return
        [
            await Try("aws", async () => FeedParsers.Aws(await Read("aws-ip-ranges*.json")), cancellationToken),
            await Try("cloudflare", async () => FeedParsers.Cloudflare(await Read("cloudflare-ips-v4*.txt"), await Read("cloudflare-ips-v6*.txt"), DateOf("cloudflare-ips-v4*.txt")), cancellationToken),
            await Try("github", async () => FeedParsers.GitHub(await Read("github-meta*.json"), DateOf("github-meta*.json")), cancellationToken),
            await Try("google", async () => FeedParsers.Google(await Read("google-cloud*.json")), cancellationToken),
        ];
    }

    private static (FeedInfo, List<ProviderPrefix>) Aws(AWSPublicIpAddressRanges ranges) =>
    (
        new FeedInfo("aws", ranges.CreateDate.ToString("yyyy-MM-dd-HH-mm-ss", System.Globalization.CultureInfo.InvariantCulture), "-"),
        [.. ranges.AllAddressRanges.Select(r => new ProviderPrefix("aws", r.Service, r.Region, System.Net.IPNetwork.Parse(r.IpPrefix)))]
    );

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
