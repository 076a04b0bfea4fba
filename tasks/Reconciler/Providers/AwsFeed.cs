using System.Globalization;
using Amazon;
using Amazon.Util;

namespace Reconciler.Providers;

/// <summary>
/// AWS ip-ranges.json, fetched through AWSSDK.Core's <see cref="AWSPublicIpAddressRanges"/>. Its CLOUDFRONT service
/// is a CDN; its regions are the SDK's plus the feed's <c>GLOBAL</c>.
/// </summary>
public sealed class AwsFeed : ProviderFeed
{
    private const string Saved = "aws-ip-ranges*.json";

    public override string Name => "aws";

    public override IReadOnlyList<string> SavedFilePatterns { get; } = [Saved];

    public override IReadOnlyList<(string Suffix, string Cdn)> EdgeDomains { get; } = [(".cloudfront.net", "CloudFront")];

    public override Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> FetchAsync(HttpClient http, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.Run(() => FromSdk(AWSPublicIpAddressRanges.Load()), cancellationToken);

    public override async Task<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> ReadSavedAsync(SavedFeedFolder folder, CancellationToken cancellationToken) =>
        Parse(await folder.ReadAsync(Saved, cancellationToken));

    public override string? CdnOf(ProviderPrefix prefix) => prefix.Service == "CLOUDFRONT" ? "CloudFront" : null;

    public override IReadOnlySet<string> Regions(IEnumerable<ProviderPrefix> own) =>
        new HashSet<string>([.. RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Where(n => !n.EndsWith("-regional", StringComparison.Ordinal)), "GLOBAL"]);

    /// <summary><c>prefixes[]</c> (ip_prefix) and <c>ipv6_prefixes[]</c> (ipv6_prefix), each with service and region.</summary>
    public static (FeedInfo Feed, List<ProviderPrefix> Prefixes) Parse(string json) => FeedParsers.Json(json, root =>
    {
        var prefixes = new List<ProviderPrefix>();
        foreach (var (array, field) in new[] { ("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix") })
        {
            foreach (var item in FeedParsers.Required(root, array).EnumerateArray())
                prefixes.Add(new ProviderPrefix("aws", FeedParsers.Text(item, "service"), FeedParsers.Text(item, "region"), FeedParsers.Network(FeedParsers.Text(item, field))));
        }
        return (new FeedInfo("aws", FeedParsers.Text(root, "createDate"), FeedParsers.Text(root, "syncToken")), prefixes);
    });

    private static (FeedInfo, List<ProviderPrefix>) FromSdk(AWSPublicIpAddressRanges ranges) =>
    (
        new FeedInfo("aws", ranges.CreateDate.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture), "-"),
        [.. ranges.AllAddressRanges.Select(r => new ProviderPrefix("aws", r.Service, r.Region, System.Net.IPNetwork.Parse(r.IpPrefix)))]
    );
}
