using System.Globalization;
using Reconciler.Diagnostics;
using Reconciler.Dns.Transport;
using Reconciler.Findings;
using Reconciler.Reports;

namespace Reconciler.Run;

/// <summary>The arguments of README "Arguments", checked once. Never holds the GitHub token: that stays in the environment.</summary>
public sealed record RunOptions
{
    public required string Target { get; init; }
    public string Policies { get; init; } = "policies";
    public string Out { get; init; } = "artifacts";
    /// <summary>The servers named in <c>--nameservers</c>.</summary>
    public IReadOnlyList<NameServer> Nameservers { get; init; } = [];
    /// <summary>
    /// Also ask the system's resolvers from /etc/resolv.conf: <c>--nameservers=system</c>, or no <c>--nameservers</c> at all.
    /// False unless asked for, so that options built in code ask exactly the servers they name.
    /// </summary>
    public bool SystemNameservers { get; init; }
    public string? State { get; init; }
    public required DateTimeOffset Now { get; init; }
    public string Base { get; init; } = "origin/main";
    public string GitHubApi { get; init; } = "https://api.github.com";
    public string? Repository { get; init; }
    /// <summary>The bot's own GitHub account, when the token cannot say whose it is (a GitHub App's installation token).</summary>
    public string? GitHubLogin { get; init; }
    /// <summary>Running in GitHub Actions (<c>GITHUB_ACTIONS=true</c>): a token that cannot say whose it is, is the workflow's GITHUB_TOKEN.</summary>
    public bool InGitHubActions { get; init; }
    public Severity FailOn { get; init; } = Severity.High;
    public string? Observations { get; init; }
    public string? Live { get; init; }
    public Shard Shard { get; init; } = Shard.Whole;
    /// <summary>RefreshProviders: read saved feeds from this folder instead of the providers.</summary>
    public string? Feeds { get; init; }
    /// <summary>The provider snapshot every target that uses provider data reads, and RefreshProviders rewrites (the library embeds the default).</summary>
    public string Snapshot { get; init; } = DefaultSnapshot;
    /// <summary>Reconcile: publish this merged report (of <c>--target=Merge</c>) instead of observing.</summary>
    public string? Report { get; init; }
    /// <summary>Review: the pull request to comment on; in GitHub Actions it comes from the event.</summary>
    public int? PullRequest { get; init; }
    /// <summary>Import: the dumps to draft policies from (<c>--from=FILE,…</c>).</summary>
    public IReadOnlyList<string> From { get; init; } = [];
    /// <summary>Also post <c>metrics.influx</c> here (<c>--influx</c>); the token stays in <c>INFLUX_TOKEN</c>.</summary>
    public InfluxEndpoint? Influx { get; init; }
    /// <summary>
    /// On one of GitHub's own runners (<c>RUNNER_ENVIRONMENT=github-hosted</c>): egress and probes describe that machine,
    /// not the estate, so their findings are notes (README "Where to run it").
    /// </summary>
    public bool GitHubHostedRunner { get; init; }

    public const string DefaultSnapshot = "tasks/Reconciler/Providers/snapshot.tsv";

    /// <summary>Where the drift memory lives when <c>--state</c> is not given locally.</summary>
    public string StatePath => State ?? Path.Combine(Out, "state.json");

    /// <param name="argument">The value of <c>--name=value</c>, or null when not given.</param>
    /// <param name="environment">An environment variable, or null.</param>
    public static RunOptions Parse(string target, Func<string, string?> argument, Func<string, string?> environment, DateTimeOffset clock)
    {
        string? Arg(string name)
        {
            if (RunArguments.Find(name) is null)
                throw new InvalidOperationException($"--{name} is read but not declared in RunArguments.All");
            var value = argument(name);
            if (value is not null && string.IsNullOrWhiteSpace(value))
                throw ReconcilerException.InvalidArgument(name, $"the value is empty; give {RunArguments.Find(name)!.Usage}, or leave the argument out for its default");
            return value;
        }
        var options = new RunOptions
        {
            Target = target,
            Policies = Arg("policies") ?? "policies",
            Out = Arg("out") ?? "artifacts",
            Nameservers = Arg("nameservers") is { } ns ? ParseNameservers(ns) : [],
            SystemNameservers = Arg("nameservers") is not { } named || Items(named).Contains("system", StringComparer.OrdinalIgnoreCase),
            State = Arg("state"),
            Now = Arg("now") is { } now ? ParseNow(now) : clock,
            Base = Arg("base") ?? "origin/main",
            GitHubApi = Arg("github-api") ?? environment("GITHUB_API_URL") ?? "https://api.github.com",
            Repository = Arg("repository") ?? environment("GITHUB_REPOSITORY"),
            GitHubLogin = Arg("github-login"),
            InGitHubActions = environment("GITHUB_ACTIONS") == "true",
            FailOn = Arg("fail-on") is { } failOn ? ParseSeverity(failOn) : Severity.High,
            Observations = Arg("observations"),
            Live = Arg("live"),
            Shard = Arg("shard") is { } shard ? Shard.Parse(shard) : Shard.Whole,
            Feeds = Arg("feeds"),
            Snapshot = Arg("snapshot") ?? DefaultSnapshot,
            Report = Arg("report"),
            From = Arg("from") is { } from ? Items(from) : [],
            PullRequest = Arg("pull-request") is { } pr
                ? int.TryParse(pr, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 ? number : throw ReconcilerException.InvalidArgument("pull-request", $"'{pr}' is not a pull request number")
                : Review.StickyComment.PullRequestOfEvent(environment("GITHUB_EVENT_PATH")),
            Influx = Arg("influx") is { } influx
                ? InfluxEndpoint.TryParse(influx, out var endpoint, out var influxError) ? endpoint : throw ReconcilerException.InvalidArgument("influx", influxError)
                : null,
            GitHubHostedRunner = Observe.VantagePoint.IsGitHubHostedRunner(environment("RUNNER_ENVIRONMENT")),
        };
        if (options.Nameservers.Count == 0 && !options.SystemNameservers)
            throw ReconcilerException.InvalidArgument("nameservers", $"'{Arg("nameservers")}' names no server to ask; give IP[:PORT],… or system");
        return options;
    }

    private static string[] Items(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static List<NameServer> ParseNameservers(string text) =>
    [
        .. Items(text).Where(item => !item.Equals("system", StringComparison.OrdinalIgnoreCase)).Select(item =>
            NameServer.TryParse(item, out var server)
                ? server
                : throw ReconcilerException.InvalidArgument("nameservers", $"'{item}' is not system, IP, IP:PORT or [IPv6]:PORT (tcp: before it for TCP only)")),
    ];

    private static readonly string[] IsoFormats =
        ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"];

    // Ten years either side of any real run still lie inside DateTimeOffset, so "now - stale_after" cannot overflow.
    private static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset ParseNow(string text)
    {
        if (!DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var now))
            throw ReconcilerException.InvalidArgument("now", $"'{text}' is not an ISO-8601 time (e.g. 2026-11-23T06:00:00Z)");
        if (now < Earliest || now >= Latest)
            throw ReconcilerException.InvalidArgument("now", $"'{text}' is out of range: give a time from 1970 to 8999");
        return now;
    }

    private static Severity ParseSeverity(string text) =>
        Severities.TryParse(text.ToLowerInvariant(), out var severity)
            ? severity
            : throw ReconcilerException.InvalidArgument("fail-on", $"'{text}' is not a severity; use low, medium, high or critical");
}

/// <summary>Shard I of N of the dependencies (<c>--shard=I/N</c>), so a CI matrix covers a large estate once.</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard Whole { get; } = new(1, 1);

    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && parts.All(p => p.Length is > 0 and <= 4 && p[0] != '0')
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 && index >= 1 && index <= count)
            return new Shard(index, count);
        throw ReconcilerException.InvalidArgument("shard", $"'{text}' is not I/N with 1 <= I <= N (e.g. 2/4)");
    }

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Whether this shard takes the dependency: a stable hash of its name (FNV-1a), the same on every machine and run.</summary>
    public bool Takes(string dependency)
    {
        if (Count == 1)
            return true;
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(dependency))
            hash = (hash ^ b) * 16777619u;
        return hash % (uint)Count == (uint)(Index - 1);
    }
}
