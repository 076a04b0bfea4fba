using Reconciler.Diagnostics;
using Reconciler.Engine;
using Reconciler.Memory;
using Reconciler.Findings;
using Reconciler.GitHub;
using Reconciler.Publishing;

namespace Reconciler.Run;

/// <summary>Reconcile: the connection to GitHub, and publishing what Plan concluded (a merged report of shards is planned in ReconcilerRun.Plan.cs).</summary>
public sealed partial class ReconcilerRun
{
    /// <summary>How patient Reconcile is with GitHub (tests make it quick).</summary>
    public GitHubRetryOptions GitHubRetry { get; init; } = GitHubRetryOptions.Default;

    /// <summary>How writes are paced under GitHub's secondary limits; null for GitHub's documented rates on the system clock.</summary>
    public GitHubWritePacer? GitHubPacer { get; init; }

    private GitHubClient? _github;
    private string? _login;
    private HttpClient? _http;
    private StateBranch? _stateBranch;

    /// <summary>
    /// Reconcile, step one: checks the token, <c>--repository</c> and <c>--github-api</c>, so that a run that cannot
    /// publish fails before it observes anything. Without <c>--state</c>, the drift memory then lives on the state branch.
    /// The token is used for the requests and nothing else: never logged, stored or written.
    /// </summary>
    private void ConnectToGitHub(string? token)
    {
        if (options.Report is not null && options.Shard.Count > 1)
            throw ReconcilerException.InvalidArgument("report", "a merged report is the whole estate; give --report or --shard, not both");
        if (string.IsNullOrEmpty(token))
            throw new ReconcilerException(ExitCodes.InvalidInput, "GITHUB_TOKEN is not set: Reconcile needs a token that can write contents, pull requests and issues (Plan is the dry run)");
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        _github = NewGitHubClient(_http, token);
        if (options.State is null)
            _stateStore = _stateBranch = new StateBranch(new GitHubForge(_github), TimeProvider.System);
    }

    /// <summary>
    /// Reconcile's first task (ConnectGitHub): connect, then one read of the repository with the token, so that a missing,
    /// wrong or expired token is exit 2 before any policy is read or anything observed.
    /// </summary>
    public async Task ConnectToGitHubAsync(string? token, CancellationToken cancellationToken = default)
    {
        ConnectToGitHub(token);
        await CheckGitHubTokenAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A client for <c>--repository</c> at <c>--github-api</c>, both checked first.</summary>
    private GitHubClient NewGitHubClient(HttpClient http, string token)
    {
        if (!Uri.TryCreate(options.GitHubApi, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttps && api.Scheme != Uri.UriSchemeHttp))
            throw ReconcilerException.InvalidArgument("github-api", $"'{options.GitHubApi}' is not an http(s) URL");
        // The token goes in a header: over plain http it may only go to this machine.
        if (api.Scheme == Uri.UriSchemeHttp && !api.IsLoopback)
            throw ReconcilerException.InvalidArgument("github-api", $"'{options.GitHubApi}' is plain http to {api.Host}, which is not a loopback address: the token would cross the network in the clear; use https://");
        var (owner, name) = GitHubClient.ParseRepository(options.Repository);
        return new GitHubClient(new GitHubConnection(http, api, token, retry: GitHubRetry, pacer: GitHubPacer), owner, name);
    }

    /// <summary>Reconcile, step three: publish what <see cref="PlanAsync"/> concluded, then save the memory to the state branch.</summary>
    public async Task<PublishResult> PublishAsync(PlanOutcome planned, CancellationToken cancellationToken = default)
    {
        // A Reconcile run whose Plan task was left out (Cake's --exclusive) has nothing to publish.
        if (_github is null || planned is null)
            throw new InvalidOperationException("connect to GitHub and plan before publishing");
        if (options.Shard.Count > 1)
        {
            // A shard sees part of the estate: publishing it would close everything the other shards found.
            log.Information($"shard {options.Shard} planned and nothing published: merge the shards (--target=Merge) and publish once with --target=Reconcile --report=OUT/report.json");
            return new PublishResult([], [], _github.Connection.Calls);
        }
        var settings = planned.Policies.Settings;
        // A dependency whose lookups failed shows no drift this run; that is not a reason to close its PRs or issues.
        var unsure = planned.Report.Findings.Where(f => f.Kind == FindingKind.ResolutionFailed).Select(f => f.Dependency).ToHashSet(StringComparer.Ordinal);
        var publisher = await NewPublisherAsync(cancellationToken).ConfigureAwait(false);
        var result = await publisher.PublishAsync(planned.Plan, planned.Policies, new PublishLimits(settings.MaxNewPullRequests, settings.MaxNewIssues), unsure, cancellationToken).ConfigureAwait(false);
        if (_stateBranch is not null && await _stateBranch.SaveAsync(planned.MemoryBefore, planned.MemoryAfter, StateTolerance(settings.StaleAfter), cancellationToken).ConfigureAwait(false))
            log.Information($"saved the drift memory to the branch {StateBranch.DefaultName}");
        var (reads, writes) = _github.Connection.Calls;
        log.Information($"published to {_github.Repository}: {result.Done.Count} changes, {reads} reads and {writes} writes");
        return result;
    }

    /// <summary>The one place a publisher is made: for <c>--repository</c>, acting only on the bot's own items.</summary>
    private async Task<Publisher> NewPublisherAsync(CancellationToken cancellationToken)
    {
        _login ??= await BotLoginAsync(_github!, cancellationToken).ConfigureAwait(false);
        return new Publisher(new GitHubForge(_github!), log, _login);
    }

    /// <summary>
    /// The bot's own account, whose items alone it acts on: <c>--github-login</c>, else whose token it is. A GitHub App's
    /// installation token cannot ask (403); in GitHub Actions that is the workflow's GITHUB_TOKEN, github-actions[bot].
    /// </summary>
    private async Task<string> BotLoginAsync(GitHubClient github, CancellationToken cancellationToken)
    {
        if (options.GitHubLogin is { } given)
            return given;
        try
        {
            return (await github.GetAuthenticatedUserAsync(cancellationToken).ConfigureAwait(false)).Login;
        }
        catch (GitHubForbiddenException) when (options.InGitHubActions)
        {
            log.Information($"the token cannot say whose it is: taking it as the workflow's GITHUB_TOKEN ({ActionsLogin}); give --github-login=APP-SLUG[bot] for a GitHub App's token");
            return ActionsLogin;
        }
        catch (GitHubForbiddenException e)
        {
            throw ReconcilerException.InvalidArgument("github-login", $"the token cannot say whose it is ({e.Message}); give --github-login=APP-SLUG[bot] for a GitHub App's token, so that the bot knows its own pull requests and issues");
        }
    }

    private const string ActionsLogin = "github-actions[bot]";

    /// <summary>
    /// Times that moved less than this are not worth a commit on the state branch: a tenth of stale_after, and under a
    /// quarter of the longest gap a span of proof bridges, so that skipped saves never break a span.
    /// </summary>
    private static TimeSpan StateTolerance(TimeSpan staleAfter) =>
        TimeSpan.FromTicks(Math.Min(staleAfter.Ticks / 10, ProvenSpan.LongestGap(staleAfter).Ticks / 4));

    /// <summary>The whole of Reconcile in one call (the Cake graph runs the steps as ConnectGitHub, Validate, Plan and Reconcile).</summary>
    public async Task<PlanOutcome> ReconcileAsync(string? token, CancellationToken cancellationToken = default)
    {
        ConnectToGitHub(token);
        var planned = await PlanAsync(cancellationToken).ConfigureAwait(false);
        await PublishAsync(planned, cancellationToken).ConfigureAwait(false);
        return planned;
    }

    public void Dispose() => _http?.Dispose();
}
