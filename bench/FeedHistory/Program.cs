// Replays a folder of dated AWS feeds (aws-ip-ranges-DATE.json.gz, read where they are) through RefreshProviders and
// Plan, with a run every --every days between feeds (the DNS world fixed: replayed observations), applies every
// would-be pull request with `git apply`, and counts: pull requests and their sizes, merges that left published
// space unadmitted, and merged changes that did not plan clean. Asserts nothing; prints figures (README "Provider feeds").
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Engine;
using Reconciler.Observe;
using Reconciler.Policies.Validation;
using Reconciler.Providers;
using Reconciler.Review;
using Reconciler.Run;

var folder = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? throw new ArgumentException("usage: FeedHistory DIR [--every=DAYS] [--limit=N] [--keep]");
var every = int.Parse(Option("every") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
var limit = int.Parse(Option("limit") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);
var feeds = Directory.GetFiles(folder, "aws-ip-ranges-*.json.gz").Order(StringComparer.Ordinal).Take(limit).ToList();
if (feeds.Count == 0)
    throw new ArgumentException($"no aws-ip-ranges-*.json.gz in {folder}");

var work = Directory.CreateTempSubdirectory("reconciler-feed-history.").FullName;
var policies = Path.Combine(work, "policies");
Directory.CreateDirectory(policies);
Git("init", "-q");
var first = AwsFeed.Parse(Gunzip(feeds[0]));
File.WriteAllText(Path.Combine(policies, "aws.yaml"), Policy(Published(first.Prefixes)));
Git("add", "-A");
Git("-c", "user.name=bench", "-c", "user.email=bench@example.test", "commit", "-qm", "start");

var snapshot = Path.Combine(work, "snapshot.tsv");
var state = Path.Combine(work, "state.json");
var (pullRequests, merges, unadmittedMerges, notClean, runs, refreshFailures) = (0, 0, 0, 0, 0, 0);
var sizes = new List<int>();
var clock = Stopwatch.StartNew();
for (var i = 0; i < feeds.Count; i++)
{
    var at = DateOf(feeds[i]);
    var until = i + 1 < feeds.Count ? DateOf(feeds[i + 1]) : at.AddDays(14);
    var dir = Path.Combine(work, "feeds");
    if (Directory.Exists(dir))
        Directory.Delete(dir, recursive: true);
    Directory.CreateDirectory(dir);
    File.WriteAllText(Path.Combine(dir, Path.GetFileNameWithoutExtension(feeds[i])), Gunzip(feeds[i]));
    using (var refresh = new ReconcilerRun(Options("RefreshProviders", at) with { Feeds = dir }, Quiet.Host))
    {
        await refresh.RefreshProvidersAsync();
        if (refresh.Exit.Code != ExitCodes.Ok)
            refreshFailures++;
    }
    var published = Published(ProviderSnapshot.Parse(File.ReadAllText(snapshot)).Prefixes);
    for (var now = at; now < until; now = now.AddDays(every))
    {
        runs++;
        var plan = await PlanAsync(now, state, "out");
        if (plan.Count == 0)
            continue;
        foreach (var (diff, size) in plan)
        {
            pullRequests++;
            sizes.Add(size);
            var apply = Git("apply", diff);
            if (apply != 0)
                Console.WriteLine($"{now:yyyy-MM-dd}: git apply failed for {Path.GetFileName(diff)}");
        }
        Git("add", "-A");
        Git("-c", "user.name=bench", "-c", "user.email=bench@example.test", "commit", "-qm", $"merge {now:yyyy-MM-dd}");
        merges++;
        var held = Held(File.ReadAllText(Path.Combine(policies, "aws.yaml")));
        foreach (var (consumer, prefixes) in held)
        {
            var left = published.SelectMany(p => PrefixReplacement.Remainder(p, prefixes)).ToList();
            if (left.Count > 0)
            {
                unadmittedMerges++;
                Console.WriteLine($"{now:yyyy-MM-dd}: merging left {PrefixReplacement.Size(left)} unadmitted by the {consumer}: {string.Join(", ", left.Take(4).Select(Networks.Format))}");
            }
        }
        // The merged change, planned again at once on a copy of the memory: nothing more is proposed.
        var copy = state + ".check";
        File.Copy(state, copy, overwrite: true);
        var again = await PlanAsync(now, copy, "check");
        if (again.Count > 0)
        {
            notClean++;
            Console.WriteLine($"{now:yyyy-MM-dd}: the merged change does not plan clean: {string.Join(", ", again.Select(a => Path.GetFileName(a.Diff)))}");
        }
    }
}
sizes.Sort();
Console.WriteLine($"feeds {feeds.Count} ({Path.GetFileName(feeds[0])} .. {Path.GetFileName(feeds[^1])}), runs {runs} (every {every} days), refreshes that failed {refreshFailures}, {clock.Elapsed.TotalSeconds:0} s");
Console.WriteLine($"pull requests {pullRequests} in {merges} merges; lines changed per pull request: median {(sizes.Count == 0 ? 0 : sizes[sizes.Count / 2])}, max {(sizes.Count == 0 ? 0 : sizes[^1])}, total {sizes.Sum()}");
Console.WriteLine($"merges that left published space unadmitted: {unadmittedMerges}");
Console.WriteLine($"merged changes that did not plan clean: {notClean}");
if (args.Contains("--keep"))
    Console.WriteLine($"kept {work}");
else
    Directory.Delete(work, recursive: true);
return unadmittedMerges == 0 && notClean == 0 ? 0 : 1;

RunOptions Options(string target, DateTimeOffset now) => new()
{
    Target = target,
    Now = now,
    Policies = policies,
    Snapshot = snapshot,
    Out = Path.Combine(work, "out"),
    State = state,
    FailOn = Reconciler.Findings.Severity.Critical,
};

// One Plan at `now` with the fixed DNS world; the pull requests' diffs and their sizes (lines added and removed).
async Task<List<(string Diff, int Size)>> PlanAsync(DateTimeOffset now, string memory, string outName)
{
    var output = Path.Combine(work, outName);
    if (Directory.Exists(output))
        Directory.Delete(output, recursive: true);
    var replay = Path.Combine(work, "observations.json");
    File.WriteAllText(replay, World(now).ToJson());
    using var run = new ReconcilerRun(Options("Plan", now) with { Out = output, State = memory, Observations = replay }, Quiet.Host);
    await run.PlanAsync();
    var folder = Path.Combine(output, "plan", "pull-requests");
    return Directory.Exists(folder)
        ? [.. Directory.GetFiles(folder, "*.diff").Order(StringComparer.Ordinal).Select(d => (d, File.ReadLines(d).Count(l => (l.StartsWith('+') || l.StartsWith('-')) && !l.StartsWith("+++", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal))))]
        : [];
}

// Both hosts answer a documentation address outside AWS: every withdrawn prefix can be proven unused.
static ObservationSet World(DateTimeOffset now) => new(now, ["127.0.0.1:53"],
[
    .. Quiet.Hosts.SelectMany(host => new[]
    {
        new Observation(host, "A", "127.0.0.1:53", Reconciler.Dns.Resolution.DnsOutcome.Answer, [], [new ObservedAddress("198.51.100.10", 60)], now, 1),
        new Observation(host, "AAAA", "127.0.0.1:53", Reconciler.Dns.Resolution.DnsOutcome.NoData, [], [], now, 1),
    }),
]);

List<(string Consumer, List<IPNetwork> Prefixes)> Held(string yaml)
{
    var parsed = Reconciler.Policies.Loading.PolicyParser.Parse([new Reconciler.Policies.Loading.PolicySource("aws.yaml", yaml)]);
    var set = parsed.Policies!.FindPrefixSet("aws-use1")!.Prefixes.Select(p => p.Value).ToList();
    var rule = parsed.Policies!.FindAllowlist("direct")!.Rules.SelectMany(r => r.Destinations).Select(d => d.Value).ToList();
    return [("prefix set", set), ("rule", rule)];
}

static List<IPNetwork> Published(IEnumerable<ProviderPrefix> prefixes) =>
    [.. prefixes.Where(p => p.Provider == "aws" && p.Service == "AMAZON" && p.Region == "us-east-1").Select(p => p.Prefix).Distinct()];

static string Policy(List<IPNetwork> prefixes)
{
    var items = string.Concat(prefixes.OrderBy(p => p.BaseAddress.AddressFamily).ThenBy(p => p.BaseAddress.GetAddressBytes(), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ThenBy(p => p.PrefixLength).Select(Networks.Format).Select(p => p.Contains(':', StringComparison.Ordinal) ? $"\"{p}\"" : p).Select(p => $"\n      - {p}"));
    return $$"""
        dependencies:
          - name: aws-direct
            hosts: [api.example.test]
            track: provider
            provider: { name: aws, service: AMAZON, region: us-east-1 }
          - name: aws-via-set
            hosts: [set.example.test]
            track: provider
            provider: { name: aws, service: AMAZON, region: us-east-1 }
        prefix_sets:
          - name: aws-use1
            provider: { name: aws, service: AMAZON, region: us-east-1 }
            prefixes:{{items}}
        allowlists:
          - name: direct
            kind: iptables
            rules:
              - dependency: aws-direct
                reason: bench
                destinations:{{items.Replace("\n      - ", "\n          - ", StringComparison.Ordinal)}}
          - name: via-set
            kind: iptables
            rules:
              - dependency: aws-via-set
                reason: bench
                prefix_set: aws-use1
        settings:
          stale_after: 2d
          broadest_ipv4_prefix: 8
          broadest_ipv6_prefix: 16

        """;
}

static DateTimeOffset DateOf(string file)
{
    var match = System.Text.RegularExpressions.Regex.Match(Path.GetFileName(file), @"(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})");
    var n = match.Groups.Values.Skip(1).Select(g => int.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    return new DateTimeOffset(n[0], n[1], n[2], n[3], n[4], n[5], TimeSpan.Zero);
}

static string Gunzip(string file)
{
    using var stream = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
    using var reader = new StreamReader(stream);
    return reader.ReadToEnd();
}

int Git(params string[] arguments)
{
    var start = new ProcessStartInfo("git") { WorkingDirectory = work, RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var argument in arguments)
        start.ArgumentList.Add(argument);
    using var git = Process.Start(start)!;
    var error = git.StandardError.ReadToEnd();
    git.StandardOutput.ReadToEnd();
    git.WaitForExit();
    if (git.ExitCode != 0 && arguments[0] != "commit")
        Console.Error.WriteLine($"git {string.Join(' ', arguments)}: {error.Trim()}");
    return git.ExitCode;
}

string? Option(string name) => args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];

/// <summary>The run's log, kept quiet: the bench prints its own figures.</summary>
sealed class Quiet : IRunHost
{
    public static Quiet Host { get; } = new();
    public static readonly string[] Hosts = ["api.example.test", "set.example.test"];
    public void Information(string message) { }
    public void Warning(string message) { }
    public void Error(string message) => Console.Error.WriteLine(message);
    public void Verbose(string message) { }
    public void SetStepSummary(string markdown) { }
    public void Error(Annotation annotation) { }
    public void Warning(Annotation annotation) { }
}
