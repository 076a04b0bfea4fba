using System.Net;
using Reconciler.Engine;
using Reconciler.Providers;
using Reconciler.Run;
using Reconciler.Tests.Engine;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Providers;

/// <summary>
/// RefreshProviders keeps each provider on its own: a feed that is missing, fails or is refused by the feed check
/// keeps that provider's part and is named; the refresh succeeds when one feed refreshed, and fails untouched when none did.
/// </summary>
public sealed class FeedRefreshTests : IDisposable
{
    private static readonly string Saved = Path.Combine(RepoPaths.Root, "tests", "Reconciler.Tests", "Data", "provider-feeds");
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-refresh-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string Feeds => Path.Combine(_scratch, "feeds");
    private string SnapshotFile => Path.Combine(_scratch, "snapshot.tsv");

    /// <summary>Policies whose broadest prefixes admit what AWS and Cloudflare really publish (/11, /29).</summary>
    private async Task<(ReconcilerRun Run, CollectingLog Log)> RefreshAsync(int broadestIPv4 = 10, int broadestIPv6 = 28)
    {
        var policies = Directory.CreateDirectory(Path.Combine(_scratch, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "p.yaml"), $"""
            dependencies:
              - name: api
                hosts: [api.example.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: api
                    destinations: [192.0.2.1]
            settings:
              broadest_ipv4_prefix: {broadestIPv4}
              broadest_ipv6_prefix: {broadestIPv6}
            """);
        await File.WriteAllTextAsync(SnapshotFile, ProviderSnapshot.Default.ToTsv());
        var log = new CollectingLog();
        var run = new ReconcilerRun(new RunOptions { Target = "RefreshProviders", Now = DriftEngineTests.Now, Feeds = Feeds, Snapshot = SnapshotFile, Policies = policies }, log);
        await run.RefreshProvidersAsync();
        return (run, log);
    }

    private void Save(params string[] names)
    {
        Directory.CreateDirectory(Feeds);
        foreach (var name in names)
            File.Copy(Path.Combine(Saved, name), Path.Combine(Feeds, name));
    }

    private static string Part(string tsv, string provider) =>
        string.Join("\n", tsv.Split('\n').Where(l => l.StartsWith(provider + "\t", StringComparison.Ordinal) || l.StartsWith("#feed\t" + provider + "\t", StringComparison.Ordinal)));

    [Fact]
    public async Task Saved_feeds_of_one_provider_refresh_it_and_keep_the_others_by_name()
    {
        Save("aws-ip-ranges.2025-06-25.json");

        var (run, log) = await RefreshAsync();

        Assert.Equal(0, run.Exit.Code);
        var written = await File.ReadAllTextAsync(SnapshotFile);
        Assert.Contains("#feed\taws\t2025-06-25", written, StringComparison.Ordinal);
        Assert.NotEqual(Part(ProviderSnapshot.Default.ToTsv(), "aws"), Part(written, "aws"));
        foreach (var kept in new[] { "cloudflare", "github", "google" })
        {
            Assert.Equal(Part(ProviderSnapshot.Default.ToTsv(), kept), Part(written, kept));
            Assert.Contains(log.Shown, l => l.StartsWith($"warning: {kept}: the feed failed", StringComparison.Ordinal) && l.Contains("kept as it was", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task No_feed_refreshed_is_a_failed_run_that_leaves_the_file_as_it_was()
    {
        Directory.CreateDirectory(Feeds);

        var (run, _) = await RefreshAsync();

        Assert.Equal(3, run.Exit.Code);
        Assert.Equal(ProviderSnapshot.Default.ToTsv(), await File.ReadAllTextAsync(SnapshotFile));
    }

    [Fact]
    public async Task A_feed_holding_all_addresses_special_purpose_or_over_broad_prefixes_is_refused_naming_each_and_kept()
    {
        Save("cloudflare-ips-v4.2025-07-25.txt", "cloudflare-ips-v6.2025-07-25.txt");
        string[] bad = ["0.0.0.0/0", "10.0.0.0/8", "169.254.169.254/32", "::/0", "44.0.0.0/9", "::ffff:7f00:1/128"];
        var items = bad.Append("52.94.0.0/22").Select(p => p.Contains(':', StringComparison.Ordinal)
            ? $$"""{"ipv6_prefix": "{{p}}", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"}"""
            : $$"""{"ip_prefix": "{{p}}", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"}""").ToList();
        await File.WriteAllTextAsync(Path.Combine(Feeds, "aws-ip-ranges.2026-12-01.json"), $$"""
            {"syncToken": "1", "createDate": "2026-12-01-00-00-00",
             "prefixes": [{{string.Join(",", items.Where(i => i.Contains("ip_prefix", StringComparison.Ordinal)))}}],
             "ipv6_prefixes": [{{string.Join(",", items.Where(i => i.Contains("ipv6_prefix", StringComparison.Ordinal)))}}]}
            """);

        var (run, log) = await RefreshAsync();

        // The positive control: Cloudflare's feed in the same refresh is kept, and the run succeeds on it.
        Assert.Equal(0, run.Exit.Code);
        var written = await File.ReadAllTextAsync(SnapshotFile);
        Assert.Equal(Part(ProviderSnapshot.Default.ToTsv(), "aws"), Part(written, "aws"));
        Assert.Contains("#feed\tcloudflare\t2025-07-25", written, StringComparison.Ordinal);
        var refusal = Assert.Single(log.Shown, l => l.StartsWith("warning: aws: the feed was refused", StringComparison.Ordinal));
        foreach (var prefix in new[] { "0.0.0.0/0", "10.0.0.0/8", "169.254.169.254 ", "::/0", "44.0.0.0/9", "::ffff:127.0.0.1 " })
            Assert.Contains(prefix, refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("52.94.0.0/22", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("52.94.0.0/22", null)]
    [InlineData("2600:1f18::/33", null)]
    [InlineData("0.0.0.0/0", "every IPv4 address")]
    [InlineData("::/0", "every IPv6 address")]
    [InlineData("44.0.0.0/9", "broader than /10 (settings.broadest_ipv4_prefix)")]
    [InlineData("2600::/20", "broader than /28 (settings.broadest_ipv6_prefix)")]
    [InlineData("100.64.0.0/10", "in 100.64.0.0/10")]
    [InlineData("64:ff9b::a9fe:a9fe/128", "169.254")]
    public void The_feed_check_names_why_a_prefix_is_refused(string prefix, string? why)
    {
        var refusals = FeedCheck.Refusals([new ProviderPrefix("aws", "AMAZON", "us-east-1", IPNetwork.Parse(prefix))], 10, 28);

        if (why is null)
            Assert.Empty(refusals);
        else
            Assert.Contains(why, Assert.Single(refusals), StringComparison.Ordinal);
    }
}
