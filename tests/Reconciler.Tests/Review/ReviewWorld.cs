using System.Diagnostics;
using Reconciler.Dns.Resolution;
using Reconciler.GitHub;
using Reconciler.Observe;
using Reconciler.Review;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Review;

/// <summary>
/// A policies repository made with git in the test: the base commit holds <see cref="BasePolicy"/>, the working
/// tree holds the pull request's edit. DNS answers are replayed, so every review is exact.
/// </summary>
internal sealed class ReviewWorld : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public const string BasePolicy = """
        # yaml-language-server: $schema=policy.schema.json
        dependencies:
          - name: ledger
            hosts: [api.ledger.test]
            ports: [443]
          - name: billing
            hosts: [api.billing.test]
            ports: [443]

        allowlists:
          - name: app-egress
            kind: iptables
            rules:
              - dependency: ledger
                destinations: [192.0.2.10, 192.0.2.11]
                reason: T100
              - dependency: billing
                destinations: [198.51.100.7]
                reason: T101

        """;

    private readonly string _root = Directory.CreateTempSubdirectory("reconciler-review-").FullName;

    public ReviewWorld(string basePolicy = BasePolicy)
    {
        Directory.CreateDirectory(Path.Combine(_root, "policies"));
        File.WriteAllText(PolicyFile, basePolicy);
        Git("init", "-q", "-b", "main");
        Git("add", "-A");
        Git("-c", "user.name=Alice", "-c", "user.email=alice@example.test", "commit", "-q", "-m", "Base policies");
    }

    public string PolicyFile => Path.Combine(_root, "policies", "apps.yaml");
    public string Out => Path.Combine(_root, "out");
    public CollectingLog Log { get; } = new();

    /// <summary>What DNS says: host → addresses.</summary>
    public Dictionary<string, string[]> Dns { get; } = new(StringComparer.Ordinal)
    {
        ["api.ledger.test"] = ["192.0.2.10", "192.0.2.11"],
        ["api.billing.test"] = ["198.51.100.7", "198.51.100.8"],
    };

    /// <summary>The pull request's change to the working tree.</summary>
    public void Edit(Func<string, string> edit)
    {
        var before = File.ReadAllText(PolicyFile);
        var after = edit(before);
        if (after == before)
            throw new InvalidOperationException("the edit changed nothing; the scenario would test nothing");
        File.WriteAllText(PolicyFile, after);
    }

    public string Policies => Path.Combine(_root, "policies");

    /// <summary>The world's DNS answers as an observations file to replay.</summary>
    public async Task<string> WriteObservationsAsync()
    {
        var observations = new ObservationSet(Now, ["127.0.0.1:53"], [.. Dns.Select(d => new Observation(
            d.Key, "A", "127.0.0.1:53", DnsOutcome.Answer, [], [.. d.Value.Select(a => new ObservedAddress(a, 300))], Now, 1.0))]);
        var replay = Path.Combine(_root, "observations.json");
        await File.WriteAllTextAsync(replay, observations.ToJson());
        return replay;
    }

    public async Task<(ReconcilerRun Run, ReviewResult Review)> ReviewAsync(string? githubApi = null, int? pullRequest = null)
    {
        var replay = await WriteObservationsAsync();
        var run = new ReconcilerRun(new RunOptions
        {
            Target = "Review",
            Policies = Policies,
            Out = Out,
            Base = "main",
            Observations = replay,
            Now = Now,
            GitHubApi = githubApi ?? "https://api.github.com",
            Repository = $"{FakeGitHub.Owner}/{FakeGitHub.Name}",
            PullRequest = pullRequest,
        }, Log) { GitHubRetry = new GitHubRetryOptions { MaxRetries = 0 } };
        return (run, await run.ReviewAsync());
    }

    private void Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error}");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
