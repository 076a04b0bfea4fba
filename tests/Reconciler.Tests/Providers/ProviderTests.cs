using System.Net;
using System.Text.Json;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Providers;
using Reconciler.Tests.Engine;
using Reconciler.Tests.Support;
using Reconciler.Planning;

namespace Reconciler.Tests.Providers;

/// <summary>Provider feeds, with the real snapshots of AWS, Cloudflare, GitHub and Google.</summary>
public sealed class ProviderTests
{
    private static readonly string Feeds = Path.Combine(RepoPaths.Root, "tests", "Reconciler.Tests", "Data", "provider-feeds");
    private static readonly ProviderKnowledge July = new(ProviderSnapshot.Default);

    private static string Feed(string name) => File.ReadAllText(Path.Combine(Feeds, name));

    [Theory]
    [InlineData("52.94.152.9", "aws AMAZON us-east-1")]            // an AWS address of the region SNS lives in
    [InlineData("104.16.1.1", "cloudflare - -")]
    [InlineData("4.148.1.1", "github actions -")]                   // a GitHub Actions runner
    [InlineData("2606:50c0::1", "github api -")]
    [InlineData("34.1.208.1", "google Google Cloud africa-south1")]
    public void Every_address_is_attributed_to_the_owner_of_its_longest_prefix(string address, string owner) =>
        Assert.Contains(owner, July.Index.Owners(IPAddress.Parse(address)).Select(o => $"{o.Provider} {o.Service} {o.Region}"));

    [Fact]
    public void An_address_of_nobody_has_no_owner()
    {
        Assert.Empty(July.Index.Owners(IPAddress.Parse("192.0.2.1")));
        Assert.Empty(July.Index.Owners(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void The_embedded_snapshot_is_the_four_july_feeds()
    {
        Assert.Equal(["aws", "cloudflare", "github", "google"], ProviderSnapshot.Default.Feeds.Select(f => f.Provider));
        Assert.Equal(ProviderSnapshot.Default.ToTsv(), ProviderSnapshot.Parse(ProviderSnapshot.Default.ToTsv()).ToTsv());
        Assert.Equal(20_107, ProviderSnapshot.Default.Prefixes.Count);
    }

    [Fact]
    public void The_june_to_july_aws_feeds_differ_by_78_added_and_16_removed_ipv4_entries()
    {
        var june = AwsFeed.Parse(Feed("aws-ip-ranges.2025-06-25.json")).Prefixes.Where(IsV4).ToHashSet();
        var july = AwsFeed.Parse(Feed("aws-ip-ranges.2025-07-25.json")).Prefixes.Where(IsV4).ToHashSet();

        Assert.Equal((78, 16), (july.Except(june).Count(), june.Except(july).Count()));
    }

    [Fact]
    public void A_tracked_service_and_region_get_exactly_the_prefixes_the_feed_added_and_removed()
    {
        // The allowlist was right in June; the snapshot is July's.
        var juneS3 = Prefixes("aws-ip-ranges.2025-06-25.json", "S3", "us-east-1");
        var juneEc2 = Prefixes("aws-ip-ranges.2025-06-25.json", "EC2", "us-east-1");
        var julyS3 = Prefixes("aws-ip-ranges.2025-07-25.json", "S3", "us-east-1");
        var julyEc2 = Prefixes("aws-ip-ranges.2025-07-25.json", "EC2", "us-east-1");
        var policies = DriftEngineTests.Parse($$"""
            dependencies:
              - name: s3
                hosts: [s3.us-east-1.amazonaws.com]
                track: provider
                provider: { name: aws, service: S3, region: us-east-1 }
              - name: ec2
                hosts: [ec2.us-east-1.amazonaws.com]
                track: provider
                provider: { name: aws, service: EC2, region: us-east-1 }
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: s3
                    destinations: [{{string.Join(", ", juneS3.Select(p => $"\"{p}\""))}}]
                  - dependency: ec2
                    destinations: [{{string.Join(", ", juneEc2.Select(p => $"\"{p}\""))}}]
            """);

        // Each host resolved every day for a month, inside a prefix both feeds publish: the removals are proven.
        string Stable(HashSet<string> june, HashSet<string> july) => System.Net.IPNetwork.Parse(june.Intersect(july).Order(StringComparer.Ordinal).First()).BaseAddress.ToString();
        var observations = DriftEngineTests.Observations([$"s3.us-east-1.amazonaws.com A Answer {Stable(juneS3, julyS3)}", $"ec2.us-east-1.amazonaws.com A Answer {Stable(juneEc2, julyEc2)}"]);
        var findings = DriftEngineTests.Diff(policies, observations, DriftEngineTests.Daily(observations), DriftEngineTests.Now, July);

        string[] Subjects(string dependency, FindingKind kind) => [.. findings.Where(f => f.Dependency == dependency && f.Kind == kind).Select(f => f.Subject).Order(StringComparer.Ordinal)];
        Assert.Equal(julyS3.Except(juneS3).Order(StringComparer.Ordinal), Subjects("s3", FindingKind.ProviderRangeAdded));
        Assert.Equal(juneS3.Except(julyS3).Order(StringComparer.Ordinal), Subjects("s3", FindingKind.ProviderRangeRemoved));
        Assert.Equal(julyEc2.Except(juneEc2).Order(StringComparer.Ordinal), Subjects("ec2", FindingKind.ProviderRangeAdded));
        Assert.Equal(juneEc2.Except(julyEc2).Order(StringComparer.Ordinal), Subjects("ec2", FindingKind.ProviderRangeRemoved));
        Assert.NotEmpty(Subjects("s3", FindingKind.ProviderRangeAdded));
        Assert.NotEmpty(Subjects("ec2", FindingKind.ProviderRangeRemoved));

        var plan = Planner.Plan(policies, findings);
        Assert.Equal(["egress: admit 7 new addresses and remove 2 addresses of ec2", "egress: admit 8 new addresses of s3"], plan.PullRequests.Select(p => p.Title).Order(StringComparer.Ordinal));
        Assert.All(plan.PullRequests, p => Assert.Null(p.Failure));
    }

    [Fact]
    public void A_provider_tracked_host_resolving_outside_the_published_prefixes_is_reported_with_the_owner()
    {
        var policies = DriftEngineTests.Parse("dependencies:\n  - name: sns\n    hosts: [sns.us-east-1.amazonaws.com]\n    track: provider\n    provider: { name: aws, service: AMAZON, region: us-east-1 }\n");
        var observations = DriftEngineTests.Observations(["sns.us-east-1.amazonaws.com A Answer 52.94.152.9,104.16.1.1"]);

        var finding = Assert.Single(DriftEngineTests.Diff(policies, observations, DriftMemory.Empty, DriftEngineTests.Now, July));

        Assert.Equal((FindingKind.OutsideProviderRange, "104.16.1.1"), (finding.Kind, finding.Subject));
        Assert.Contains("it belongs to cloudflare - -", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dns_tracked_dependency_rotating_inside_one_service_and_region_is_told_to_track_the_provider()
    {
        var policies = DriftEngineTests.Parse("dependencies:\n  - name: api\n    hosts: [api.example.test]\n");
        var observations = DriftEngineTests.Observations(["api.example.test A Answer 3.2.58.1,3.2.58.2,3.2.58.3,3.2.58.4"]);
        var memory = DriftMemory.Empty.Remember(observations, DriftEngineTests.Now);

        var suggestion = Assert.Single(ProviderDrift.Suggestions(policies, memory, July, DriftEngineTests.Now));

        Assert.Equal("api", suggestion.Key);
        Assert.Contains("`provider: { name: aws, service: ", suggestion.Value, StringComparison.Ordinal);
        Assert.Empty(ProviderDrift.Suggestions(policies, DriftMemory.Empty.Remember(DriftEngineTests.Observations(["api.example.test A Answer 3.2.58.1,192.0.2.1,192.0.2.2,192.0.2.3"]), DriftEngineTests.Now), July, DriftEngineTests.Now));
    }

    [Fact]
    public async Task A_feed_that_is_truncated_or_not_json_leaves_its_part_of_the_snapshot_unchanged()
    {
        var folder = Directory.CreateTempSubdirectory("reconciler-feeds-").FullName;
        try
        {
            var snapshotFile = Path.Combine(folder, "snapshot.tsv");
            await File.WriteAllTextAsync(snapshotFile, ProviderSnapshot.Default.ToTsv());
            await File.WriteAllTextAsync(Path.Combine(folder, "aws-ip-ranges.2025-08-25.json"), Feed("aws-ip-ranges.2025-07-25.json")[..5000]);
            await File.WriteAllTextAsync(Path.Combine(folder, "github-meta.2025-08-25.json"), "<html>rate limited</html>");
            foreach (var name in new[] { "cloudflare-ips-v4.2025-07-25.txt", "cloudflare-ips-v6.2025-07-25.txt", "google-cloud.2025-07-25.json" })
                File.Copy(Path.Combine(Feeds, name), Path.Combine(folder, name));
            var run = new Reconciler.Run.ReconcilerRun(
                new Reconciler.Run.RunOptions { Target = "RefreshProviders", Now = DriftEngineTests.Now, Feeds = folder, Snapshot = snapshotFile, Policies = Policies(folder) },
                new CollectingLog());

            var refreshed = await run.RefreshProvidersAsync();

            // Cloudflare and Google refreshed: the refresh succeeds, and names the two it kept (FeedRefreshTests).
            Assert.Equal(0, run.Exit.Code);
            Assert.Contains("#feed\tcloudflare\t2025-07-25", refreshed.ToTsv(), StringComparison.Ordinal);
            string Part(ProviderSnapshot s, string provider) => string.Join("\n", s.ToTsv().Split('\n').Where(l => l.StartsWith(provider + "\t", StringComparison.Ordinal) || l.StartsWith("#feed\t" + provider, StringComparison.Ordinal)));
            Assert.Equal(Part(ProviderSnapshot.Default, "aws"), Part(refreshed, "aws"));
            Assert.Equal(Part(ProviderSnapshot.Default, "github"), Part(refreshed, "github"));
            Assert.Equal(refreshed.ToTsv(), await File.ReadAllTextAsync(snapshotFile));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Policies whose broadest prefixes admit what the saved feeds publish (the feed check reads them).</summary>
    private static string Policies(string folder)
    {
        var policies = Directory.CreateDirectory(Path.Combine(folder, "policies")).FullName;
        File.WriteAllText(Path.Combine(policies, "p.yaml"), "dependencies:\n  - name: api\n    hosts: [api.example.test]\nsettings:\n  broadest_ipv4_prefix: 8\n  broadest_ipv6_prefix: 16\n");
        return policies;
    }

    private static bool IsV4(ProviderPrefix p) => p.Prefix.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;

    /// <summary>Straight from the feed's JSON, independently of the parser under test.</summary>
    private static HashSet<string> Prefixes(string file, string service, string region)
    {
        using var json = JsonDocument.Parse(Feed(file));
        return
        [
            .. json.RootElement.GetProperty("prefixes").EnumerateArray().Concat(json.RootElement.GetProperty("ipv6_prefixes").EnumerateArray())
                .Where(p => p.GetProperty("service").GetString() == service && p.GetProperty("region").GetString() == region)
                .Select(p => (p.TryGetProperty("ip_prefix", out var v4) ? v4 : p.GetProperty("ipv6_prefix")).GetString()!)
                .Select(p => Reconciler.Policies.Validation.Networks.Format(IPNetwork.Parse(p))),
        ];
    }
}

/// <summary>A partner that moved behind Cloudflare, served for real by Knot.</summary>
[Collection(DnsServersGroup.Name)]
public sealed class CdnFrontedScenarioTests(DnsServersFixture servers) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-cdn-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task A_partner_host_that_becomes_a_cname_into_cloudflare_is_cdn_fronted()
    {
        var policies = Path.Combine(_scratch, "policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "p.yaml"), "dependencies:\n  - name: partner\n    hosts: [partner-cdn.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: partner\n        destinations: [198.51.100.7]\n");
        var run = new Reconciler.Run.ReconcilerRun(new Reconciler.Run.RunOptions
        {
            Target = "Plan",
            Policies = policies,
            Out = Path.Combine(_scratch, "out"),
            State = Path.Combine(_scratch, "state.json"),
            Nameservers = [servers.Knot.V4],
            Now = DriftEngineTests.Now,
        }, new CollectingLog());

        var report = (await run.PlanAsync()).Report;

        var cdn = Assert.Single(report.Findings, f => f.Kind == FindingKind.CdnFronted);
        Assert.Equal(("partner", "Cloudflare", FindingAction.Issue), (cdn.Dependency, cdn.Subject, cdn.Action));
        Assert.Contains("track: domain", cdn.Message, StringComparison.Ordinal);
        Assert.Contains(cdn.Evidence, e => e.Detail == "partner-cdn.example.test is an alias of partner.example.test.cdn.cloudflare.net");
        Assert.Contains(cdn.Evidence, e => e.Detail == "partner-cdn.example.test resolves to 104.16.1.1, in the CDN's published ranges");
        // One voice: the CDN's address is not proposed as a pin; the cdn-fronted issue says that traffic is dropped today.
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.MissingIp);
        Assert.Contains("DNS now gives 104.16.1.1, which egress does not admit", cdn.Message, StringComparison.Ordinal);
    }
}
