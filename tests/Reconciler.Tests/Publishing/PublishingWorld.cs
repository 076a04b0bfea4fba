using Reconciler.Dns.Resolution;
using Reconciler.GitHub;
using Reconciler.Observe;
using Reconciler.Reports;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// A policies repository checked out in a scratch folder, the same repository on the fake GitHub, and a world of
/// DNS answers the test changes between runs (replayed, so runs are exact). Each run is a whole Reconcile.
/// </summary>
internal sealed class PublishingWorld : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);
    public const string PolicyPath = "policies/apps.yaml";

    public const string Policy = """
        # yaml-language-server: $schema=policy.schema.json
        # The scenario's partners. Comments, order and quoting must survive every edit.
        dependencies:
          - name: ledger
            hosts: [api.ledger.test]
            ports: [443]
            track: dns
          - name: billing
            hosts: [api.billing.test]
            ports: [443]
            track: static

        allowlists:
          - name: app-egress
            kind: iptables
            rules:
              - dependency: ledger
                ports: [443]
                destinations:
                  - 192.0.2.10        # the ledger's front door
                reason: "T100"

              - dependency: billing
                ports: [443]
                destinations: [198.51.100.7]
                reason: T101

        settings:
          samples: 1
          stale_after: 2d

        """;

    private readonly string _root = Directory.CreateTempSubdirectory("reconciler-publish-").FullName;

    private PublishingWorld(FakeGitHub github, string token)
    {
        GitHub = github;
        Token = token;
    }

    public FakeGitHub GitHub { get; }
    public string Token { get; }
    public CollectingLog Log { get; } = new();
    public string Out => Path.Combine(_root, "out");
    /// <summary>The checkout's folder: a machine path that nothing published may contain.</summary>
    public string Root => _root;

    /// <summary>What DNS says now: host → addresses, or null for a SERVFAIL.</summary>
    public Dictionary<string, string[]?> Dns { get; } = new(StringComparer.Ordinal)
    {
        ["api.ledger.test"] = ["192.0.2.10", "192.0.2.11"],
        ["api.billing.test"] = ["198.51.100.99"],
    };

    /// <summary>How a host with no answer in <see cref="Dns"/> fails (SERVFAIL unless said here).</summary>
    public Dictionary<string, DnsOutcome> Failures { get; } = new(StringComparer.Ordinal);

    public static async Task<PublishingWorld> CreateAsync(string policy = Policy)
    {
        var token = "ghs_" + Guid.NewGuid().ToString("N");
        var github = await FakeGitHub.StartAsync(token, new Dictionary<string, string> { [PolicyPath] = policy });
        var world = new PublishingWorld(github, token);
        Directory.CreateDirectory(Path.Combine(world._root, ".git")); // a work tree: policy paths are repository paths
        world.Checkout();
        return world;
    }

    /// <summary>The checkout takes the default branch's head, as CI's checkout step does before each run.</summary>
    public void Checkout()
    {
        Directory.CreateDirectory(Path.Combine(_root, "policies"));
        File.WriteAllText(Path.Combine(_root, PolicyPath), GitHub.FileOnBranch("main", PolicyPath));
    }

    /// <param name="adjust">Changes to the run's arguments (e.g. a shard, a merged report).</param>
    /// <param name="pacer">How writes are paced (default: not at all, so that a test counts calls without waiting for them).</param>
    public async Task<(Report Report, int ExitCode)> RunAsync(DateTimeOffset now, string? token = null, GitHubRetryOptions? retry = null, Func<RunOptions, RunOptions>? adjust = null, GitHubWritePacer? pacer = null)
    {
        var options = new RunOptions
        {
            Target = "Reconcile",
            Policies = Policies,
            Out = Out,
            Observations = await WriteObservationsAsync(now),
            Now = now,
            GitHubApi = GitHub.Url.AbsoluteUri,
            Repository = $"{FakeGitHub.Owner}/{FakeGitHub.Name}",
        };
        using var run = new ReconcilerRun(adjust is null ? options : adjust(options), Log) { GitHubRetry = retry ?? new GitHubRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5) }, GitHubPacer = pacer ?? GitHubWritePacer.Unpaced };
        var report = (await run.ReconcileAsync(token ?? Token)).Report;
        return (report, run.Exit.Code);
    }

    public string Policies => Path.Combine(_root, "policies");

    /// <summary>The name servers that answer (each says what <see cref="Dns"/> says).</summary>
    public string[] Servers { get; set; } = ["127.0.0.1:53"];

    /// <summary>When set, the servers' answers (and the addresses in each) come in an order this draws: as a pool's do.</summary>
    public Random? AnswerOrder { get; set; }

    /// <summary>The world's DNS answers as an observations file to replay.</summary>
    public async Task<string> WriteObservationsAsync(DateTimeOffset now)
    {
        IEnumerable<T> Ordered<T>(IEnumerable<T> items) => AnswerOrder is { } random ? items.OrderBy(_ => random.Next()).ToList() : items;
        var answers = Dns.SelectMany(d => Servers.Select(server => new Observation(
            d.Key, "A", server, d.Value is null ? Failures.GetValueOrDefault(d.Key, DnsOutcome.ServFail) : DnsOutcome.Answer, [],
            [.. Ordered((d.Value ?? []).Select(a => new ObservedAddress(a, 300)))], now, 1.5)));
        var observations = new ObservationSet(now, Servers, [.. Ordered(answers)]);
        var file = Path.Combine(_root, "observations.json");
        await File.WriteAllTextAsync(file, observations.ToJson());
        return file;
    }

    /// <summary>Everything the run wrote anywhere: its files, its log, and every body and comment it sent GitHub.</summary>
    public IEnumerable<(string Where, string Text)> EverythingWritten()
    {
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            yield return (file, File.ReadAllText(file));
        foreach (var line in Log.Lines)
            yield return ("log", line);
        foreach (var request in GitHub.Requests)
            yield return ($"{request.Method} {request.Path}", request.Path + request.Query + request.Body);
    }

    /// <summary>Merges the shard folders under <paramref name="folder"/> as the merge job does.</summary>
    public Report Merge(string folder)
    {
        using var run = new ReconcilerRun(new RunOptions { Target = "Merge", Out = folder, Now = Start }, Log);
        return run.Merge();
    }

    public async ValueTask DisposeAsync()
    {
        await GitHub.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
