using Reconciler.Policies.Validation;
using Reconciler.Providers;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Providers;

/// <summary>
/// The registry is the one place a feed is declared: each feed has saved test data under Data/provider-feeds that
/// reads through its own patterns, and the catalogue and CDN list follow from it.
/// </summary>
public sealed class ProviderFeedRegistryTests
{
    private static readonly string Saved = Path.Combine(RepoPaths.Root, "tests", "Reconciler.Tests", "Data", "provider-feeds");

    [Fact]
    public void Feed_names_are_unique_and_the_catalogue_lists_exactly_them()
    {
        var names = ProviderFeeds.All.Select(f => f.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(names, ProviderCatalog.Providers.Keys);
    }

    [Fact]
    public async Task Every_feed_reads_its_saved_test_data_through_its_own_patterns()
    {
        var folder = new SavedFeedFolder(Saved, DateTimeOffset.UnixEpoch);
        foreach (var feed in ProviderFeeds.All)
        {
            Assert.All(feed.SavedFilePatterns, pattern => Assert.NotEmpty(Directory.GetFiles(Saved, pattern)));
            var (info, prefixes) = await feed.ReadSavedAsync(folder, CancellationToken.None);
            Assert.Equal(feed.Name, info.Provider);
            Assert.NotEmpty(prefixes);
            Assert.All(prefixes, p => Assert.Equal(feed.Name, p.Provider));
        }
    }

    [Fact]
    public async Task A_folder_without_a_feed_fails_that_feed_by_its_pattern()
    {
        var empty = Directory.CreateTempSubdirectory("reconciler-feeds-").FullName;
        try
        {
            var results = await FeedSources.ReadAsync(empty, DateTimeOffset.UnixEpoch, CancellationToken.None);
            Assert.Equal(ProviderFeeds.All.Select(f => f.Name), results.Select(r => r.Provider));
            Assert.All(results, r => Assert.Null(r.Parsed));
            Assert.All(results.Zip(ProviderFeeds.All), pair => Assert.Contains(pair.Second.SavedFilePatterns[0], pair.First.Error, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void The_cdn_list_holds_the_feeds_edges_and_their_ranges()
    {
        Assert.Equal("CloudFront", CdnCatalog.CdnOfName("d111.cloudfront.net."));
        Assert.Equal("Cloudflare", CdnCatalog.CdnOfName("www.example.com.cdn.cloudflare.net"));
        Assert.Equal("Akamai", CdnCatalog.CdnOfName("e1.akamaiedge.net"));
        Assert.Null(CdnCatalog.CdnOfName("example.com"));
        var any = System.Net.IPNetwork.Parse("192.0.2.0/24");
        Assert.Equal("CloudFront", CdnCatalog.CdnOfOwners([new("aws", "EC2", "us-east-1", any), new("aws", "CLOUDFRONT", "GLOBAL", any)]));
        Assert.Equal("Cloudflare", CdnCatalog.CdnOfOwners([new("cloudflare", "-", "-", any)]));
        Assert.Null(CdnCatalog.CdnOfOwners([new("aws", "EC2", "us-east-1", any), new("github", "api", "-", any)]));
    }
}
