using Reconciler.Dns.Resolution;
using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Policies.Validation;
using Reconciler.Providers;
using Reconciler.Reports;
using Reconciler.Run;
using Reconciler.Tests.Support;
using Reconciler.Planning;

namespace Reconciler.Tests.Engine;

/// <summary>
/// Convergence, as a property: apply every pull request a Plan proposes, plan again in the same world (same DNS
/// answers, same time, same feeds), and nothing is proposed, and no finding contradicts the change just applied
/// (an over-broad or stale verdict on what it added, a missing verdict on what it removed). Over each track,
/// rotating pools (seeded), provider feeds with and without a prefix set, a feed change, CDN moves and removals.
/// </summary>
public sealed class ConvergenceTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-converge-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    public static TheoryData<string> Scenarios => ["dns", "static", "domain", "provider-rules", "provider-set-empty", "provider-set-feed-change", "cdn-move", "stale-removal", "flow-list-grows"];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Applying_every_proposed_pull_request_converges(string scenario)
    {
        var world = new World(Path.Combine(_scratch, scenario));
        var history = Setup(world, scenario);
        var first = await world.ConvergeAsync(history);
        Assert.True(first.Proposed > 0 || scenario is "static" or "domain" or "cdn-move", $"{scenario}: the first plan proposed nothing, so this scenario tests nothing");
    }

    [Fact]
    public async Task A_cdn_fronted_dependency_gets_one_issue_with_the_move_to_a_proxy_and_no_pin_pull_request()
    {
        var world = new World(Path.Combine(_scratch, "cdn-one-voice"));
        var history = Setup(world, "cdn-move");
        await world.ConvergeAsync(history);
        var (run, plan, report) = await world.PlanAsync(history[^1].At, history[^1].Observations);
        using var _ = run;

        Assert.Empty(plan.PullRequests);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.MissingIp);
        var issue = Assert.Single(plan.Issues);
        Assert.Equal(FindingKind.CdnFronted, issue.Finding.Kind);
        Assert.Equal(Severity.High, issue.Finding.Severity); // traffic to 104.18.22.5 is dropped today
        Assert.Equal("gmc: now behind Cloudflare; admit it by name at a proxy", issue.Title);
        Assert.Contains("DNS now gives 104.18.22.5, which egress does not admit", issue.Body, StringComparison.Ordinal);
        Assert.Contains("   - name: gmc\n+    track: domain\n     hosts: [webservices.gmc.test]", issue.Body, StringComparison.Ordinal);
        Assert.Contains("```mermaid", issue.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task A_rotating_pool_converges_whatever_it_answered(int seed)
    {
        var random = new Random(seed);
        var world = new World(Path.Combine(_scratch, $"pool-{seed}"));
        var pool = Enumerable.Range(1, random.Next(3, 12)).Select(i => $"198.51.100.{i * 7}").ToList();
        world.Files["pool.yaml"] = $$"""
            dependencies:
              - name: pool
                hosts: [pool.example.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: pool
                    destinations: [{{pool[0]}}]
            settings:
              stale_after: 2d
            """;
        // Several runs six hours apart, each seeing a random part of the pool; the last one's world is planned twice.
        var history = Enumerable.Range(0, random.Next(1, 6))
            .Select(run => (Now.AddHours(6 * run), (IReadOnlyList<Observation>)[World.A("pool.example.test", [.. pool.OrderBy(_ => random.Next()).Take(random.Next(1, 3))], Now.AddHours(6 * run))]))
            .ToList();
        await world.ConvergeAsync(history);
    }

    private static List<(DateTimeOffset At, IReadOnlyList<Observation> Observations)> Setup(World world, string scenario)
    {
        switch (scenario)
        {
            case "dns":
                world.Files["apps.yaml"] = """
                    dependencies:
                      - name: ledger
                        hosts: [api.ledger.test, backup.ledger.test]
                    allowlists:
                      - name: egress
                        kind: iptables
                        rules:
                          - dependency: ledger
                            destinations: [192.0.2.10]
                          - dependency: ledger
                            destinations: [192.0.2.11]
                            pinned: true
                    """;
                return [(Now, [World.A("api.ledger.test", ["192.0.2.10", "192.0.2.12"]), World.A("backup.ledger.test", ["192.0.2.13"]), World.Aaaa("api.ledger.test", ["2001:db8::1"])])];
            case "static":
                world.Files["apps.yaml"] = """
                    dependencies:
                      - name: partner
                        hosts: [sftp.partner.test]
                        track: static
                    allowlists:
                      - name: egress
                        kind: iptables
                        rules:
                          - dependency: partner
                            destinations: [203.0.113.5]
                    """;
                return [(Now, [World.A("sftp.partner.test", ["203.0.113.6"])])];
            case "domain":
                world.Files["apps.yaml"] = """
                    dependencies:
                      - name: saas
                        hosts: [app.saas.test]
                        track: domain
                    allowlists:
                      - name: proxy
                        kind: proxy
                        rules:
                          - dependency: saas
                            domains: [.saas.test]
                    """;
                return [(Now, [World.A("app.saas.test", ["198.51.100.99"])])];
            case "provider-rules":
                // The issue's case: AWS AMAZON us-east-1 tracked in an allowlist's own destinations, no prefix set.
                world.Files["aws.yaml"] = """
                    dependencies:
                      - name: sns
                        hosts: [sns.us-east-1.amazonaws.com]
                        track: provider
                        provider: { name: aws, service: AMAZON, region: us-east-1 }
                    allowlists:
                      - name: payments
                        kind: iptables
                        rules:
                          - dependency: sns
                            destinations: [3.80.0.0/12]
                    """;
                return [(Now, [World.A("sns.us-east-1.amazonaws.com", ["3.80.1.2"])])];
            case "provider-set-empty":
                world.Files["aws.yaml"] = """
                    dependencies:
                      - name: sns
                        hosts: [sns.us-east-1.amazonaws.com]
                        track: provider
                        provider: { name: aws, service: AMAZON, region: us-east-1 }
                      - name: github
                        hosts: [api.github.com]
                        track: provider
                        provider: { name: github, service: api }
                    allowlists:
                      - name: payments
                        kind: iptables
                        rules:
                          - dependency: sns
                            prefix_set: aws-east
                          - dependency: github
                            prefix_set: github-api
                      - name: batch
                        kind: iptables
                        rules:
                          - dependency: sns
                            prefix_set: aws-east
                    """;
                world.Files["providers/aws.yaml"] = """
                    prefix_sets:
                      - name: aws-east
                        provider: { name: aws, service: AMAZON, region: us-east-1 }
                        prefixes: []
                      - name: github-api
                        provider: { name: github, service: api }
                    """;
                return [(Now, [World.A("sns.us-east-1.amazonaws.com", ["3.80.1.2"]), World.A("api.github.com", ["140.82.112.6"])])];
            case "provider-set-feed-change":
                world.Files["aws.yaml"] = """
                    dependencies:
                      - name: sns
                        hosts: [sns.us-east-1.amazonaws.com]
                        track: provider
                        provider: { name: aws, service: AMAZON, region: us-east-1 }
                    allowlists:
                      - name: payments
                        kind: iptables
                        rules:
                          - dependency: sns
                            prefix_set: aws-east
                    """;
                world.Files["providers/aws-east.yaml"] = OlderAwsSet();
                return [(Now, [World.A("sns.us-east-1.amazonaws.com", ["3.80.1.2"])])];
            case "cdn-move":
                world.Files["apps.yaml"] = """
                    dependencies:
                      - name: gmc
                        hosts: [webservices.gmc.test]
                    allowlists:
                      - name: egress
                        kind: iptables
                        rules:
                          - dependency: gmc
                            destinations: [192.0.2.40]
                    """;
                return [(Now, [World.A("webservices.gmc.test", ["104.18.22.5"], chain: ["webservices.gmc.test.cdn.cloudflare.net"])])];
            case "stale-removal":
                world.Files["apps.yaml"] = """
                    dependencies:
                      - name: ledger
                        hosts: [api.ledger.test]
                    allowlists:
                      - name: egress
                        kind: iptables
                        rules:
                          - dependency: ledger
                            destinations: [192.0.2.10, 192.0.2.11]
                    settings:
                      stale_after: 2d
                      max_removal_share: 100%   # one of two is over the default threshold; this scenario is about converging
                    """;
                return [.. Enumerable.Range(0, 13).Select(i => (Now.AddHours(-6 * (12 - i)), (IReadOnlyList<Observation>)[World.A("api.ledger.test", ["192.0.2.10"], Now.AddHours(-6 * (12 - i)))]))];
            case "flow-list-grows":
                world.Files["apps.yaml"] = """
                    dependencies:
                      - name: ledger
                        hosts: [api.ledger.test]
                    allowlists:
                      - name: egress
                        kind: iptables
                        rules:
                          - dependency: ledger
                            destinations: [192.0.2.1]   # the ledger's pool
                            reason: T1
                    settings:
                      max_new_addresses: 64             # a pool of 40 is this ledger's normal, not a flood
                    """;
                return [(Now, [World.A("api.ledger.test", [.. Enumerable.Range(1, 40).Select(i => $"192.0.2.{i}")])])];
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario));
        }
    }

    /// <summary>A prefix set holding what the older committed AWS feed (2025-06-25) published for AMAZON in us-east-1.</summary>
    internal static string OlderAwsSet()
    {
        var feed = AwsFeed.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Reconciler.Tests", "Data", "provider-feeds", "aws-ip-ranges.2025-06-25.json")));
        var prefixes = feed.Prefixes.Where(p => p.Service == "AMAZON" && p.Region == "us-east-1").Select(p => Networks.Format(p.Prefix)).Distinct()
            .OrderBy(p => p.Contains(':', StringComparison.Ordinal)).ThenBy(p => p, Comparer<string>.Create(CompareAddresses)).Select(p => p.Contains(':', StringComparison.Ordinal) ? $"\"{p}\"" : p);
        return "prefix_sets:\n  - name: aws-east\n    provider: { name: aws, service: AMAZON, region: us-east-1 }\n    prefixes:\n" + string.Concat(prefixes.Select(p => $"      - {p}\n"));
    }

    private static int CompareAddresses(string a, string b)
    {
        if (!Networks.TryParse(a.Trim('"'), out var x, out _) || !Networks.TryParse(b.Trim('"'), out var y, out _))
            throw new FormatException($"{a} or {b} is not a prefix");
        var bytes = x.BaseAddress.GetAddressBytes().AsSpan().SequenceCompareTo(y.BaseAddress.GetAddressBytes());
        return bytes != 0 ? bytes : x.PrefixLength.CompareTo(y.PrefixLength);
    }

    internal sealed class World(string root)
    {
        public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);
        private string Policies => Path.Combine(root, "policies");

        public static Observation A(string host, string[] addresses, DateTimeOffset? at = null, string[]? chain = null) =>
            new(host, "A", "127.0.0.1:53", addresses.Length == 0 ? DnsOutcome.NoData : DnsOutcome.Answer, chain ?? [], [.. addresses.Select(a => new ObservedAddress(a, 300))], at ?? Now, 1.0);

        public static Observation Aaaa(string host, string[] addresses) =>
            new(host, "AAAA", "127.0.0.1:53", DnsOutcome.Answer, [], [.. addresses.Select(a => new ObservedAddress(a, 300))], Now, 1.0);

        public async Task<(ReconcilerRun Run, ChangePlan Plan, Report Report)> PlanAsync(DateTimeOffset at, IReadOnlyList<Observation> observations)
        {
            var replay = Path.Combine(root, "observations.json");
            await File.WriteAllTextAsync(replay, new ObservationSet(at, ["127.0.0.1:53"], observations).ToJson());
            var run = new ReconcilerRun(new RunOptions
            {
                Target = "Plan",
                Policies = Policies,
                Out = Path.Combine(root, "out"),
                State = Path.Combine(root, "state.json"),
                Observations = replay,
                Now = at,
            }, new CollectingLog());
            var planned = await run.PlanAsync();
            return (run, planned.Plan, planned.Report);
        }

        /// <summary>Writes the policies, plays the history, applies every proposed pull request, and plans the last moment again.</summary>
        public async Task<(int Proposed, Report Second)> ConvergeAsync(List<(DateTimeOffset At, IReadOnlyList<Observation> Observations)> history)
        {
            foreach (var (name, text) in Files)
            {
                var path = Path.Combine(Policies, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, text);
            }
            for (var i = 0; i < history.Count - 1; i++)
                (await PlanAsync(history[i].At, history[i].Observations)).Run.Dispose();
            var first = await PlanAsync(history[^1].At, history[^1].Observations);
            using var _ = first.Run;
            var proposed = first.Plan.PullRequests.Where(p => p.Failure is null).ToList();
            Assert.All(first.Plan.PullRequests, p => Assert.Null(p.Failure));
            // Every pull request touches its own lines; together they are what a person merging all of them gets.
            var sources = first.Run.Validate().Sources;
            foreach (var file in proposed.SelectMany(p => p.Edits).GroupBy(e => e.Key))
                await File.WriteAllTextAsync(file.Key, Reconciler.Yaml.YamlTextEdits.Apply(sources[file.Key], file.SelectMany(e => e.Value)));
            var added = proposed.SelectMany(p => p.Added).Select(a => a.Trim('"')).ToHashSet(StringComparer.Ordinal);
            var removed = proposed.SelectMany(p => p.Removed).ToHashSet(StringComparer.Ordinal);

            var (again, plan, second) = await PlanAsync(history[^1].At, history[^1].Observations);
            using (again)
            {
                Assert.Empty(plan.PullRequests.Select(p => $"{p.Branch}: {p.Title}"));
                Assert.Empty(second.Findings.Where(f => f.Action == FindingAction.PullRequest).Select(f => $"{f.Kind.ToWire()} {f.Subject}"));
                var contradictions = second.Findings.Where(f =>
                    (f.Kind is FindingKind.StaleIp or FindingKind.ProviderRangeRemoved && added.Contains(f.Subject))
                    || (f.Kind is FindingKind.MissingIp or FindingKind.ProviderRangeAdded && removed.Contains(f.Subject))
                    // A prefix the provider publishes wider than the broadest setting stays a finding (README "Provider feeds").
                    || (f.Kind is FindingKind.OverBroadRule && added.Contains(f.Subject) && !IsPublished(again, f)));
                Assert.Empty(contradictions.Select(f => $"{f.Kind.ToWire()} {f.Subject}: {f.Message}"));
                // The would-be PRs, diffs and issues people read: no line over 300 characters.
                foreach (var text in first.Plan.PullRequests.SelectMany(p => new[] { p.Title, p.Body, p.Diff }).Concat(first.Plan.Issues.SelectMany(i => new[] { i.Title, i.Body })))
                    Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 300, $"a line of {line.Length} characters: {line[..Math.Min(80, line.Length)]}…"));
            }
            return (proposed.Count, second);
        }

        private static bool IsPublished(ReconcilerRun run, Finding finding) =>
            run.Validate().FindDependency(finding.Dependency)?.Provider is { } provider && Networks.TryParse(finding.Subject, out var network, out _)
            && new ProviderKnowledge(ProviderSnapshot.Default).Published(provider).Any(p => p.Prefix.Equals(network));
    }
}
