using Reconciler.GitHub;

namespace Reconciler.Publishing;

/// <summary>Reads <see cref="GitHubState"/>: the repository and its default branch, open PRs, bot branches and bot issues (four listings), plus one commit per branch whose head is not what the bot last pushed.</summary>
public static class GitHubStateReader
{
    public const string BranchPrefix = "reconciler/";
    public const string Label = "reconciler";

    public static async Task<GitHubState> ReadAsync(GitHubClient github, IReadOnlySet<string> plannedBranches, string stateBranch, CancellationToken cancellationToken)
    {
        var repository = await github.GetRepositoryAsync(cancellationToken).ConfigureAwait(false);
        var defaultHead = await github.Git.GetBranchAsync(repository.DefaultBranch, cancellationToken).ConfigureAwait(false);
        var open = await github.PullRequests.ListOpenAsync(cancellationToken).ConfigureAwait(false);
        var branches = await github.Git.ListBranchesAsync(BranchPrefix, cancellationToken).ConfigureAwait(false);
        var issues = await github.Issues.ListWithLabelAsync(Label, cancellationToken).ConfigureAwait(false);

        var pullRequests = new Dictionary<string, BotPullRequest>(StringComparer.Ordinal);
        foreach (var pr in open)
        {
            if (Markers.PullRequest(pr.Body) is not { } marker || marker.Branch != pr.Head.Ref)
                continue;
            var headChange = pr.Head.Sha == marker.Head ? marker.Change : await ChangeOfAsync(github, pr.Head.Sha, cancellationToken).ConfigureAwait(false);
            pullRequests[pr.Head.Ref] = new BotPullRequest(pr, marker, headChange);
        }

        var orphans = new Dictionary<string, BotBranch>(StringComparer.Ordinal);
        foreach (var reference in branches)
        {
            var branch = reference.Ref["refs/heads/".Length..];
            if (branch == stateBranch || pullRequests.ContainsKey(branch))
                continue;
            var headChange = await ChangeOfAsync(github, reference.Target.Sha, cancellationToken).ConfigureAwait(false);
            (string Change, int Number)? declined = null;
            if (plannedBranches.Contains(branch))
            {
                var closed = await github.PullRequests.ListClosedFromAsync(branch, cancellationToken).ConfigureAwait(false);
                declined = closed.Where(p => p.MergedAt is null).OrderByDescending(p => p.Number)
                    .Select(p => Markers.PullRequest(p.Body)?.Change is { } change ? (change, p.Number) : ((string, int)?)null).FirstOrDefault(c => c is not null);
            }
            orphans[branch] = new BotBranch(branch, reference.Target.Sha, headChange, declined?.Change, declined?.Number);
        }

        var botIssues = issues.Select(i => Markers.Issue(i.Body) is { } marker ? new BotIssue(i, marker) : null).OfType<BotIssue>().ToList();
        var dashboard = issues.Where(i => Markers.IsDashboard(i.Body)).OrderByDescending(i => i.State == "open").ThenBy(i => i.Number).FirstOrDefault();
        return new GitHubState(repository.DefaultBranch, defaultHead?.Target.Sha, pullRequests, orphans, botIssues, dashboard);
    }

    private static async Task<string?> ChangeOfAsync(GitHubClient github, string sha, CancellationToken cancellationToken) =>
        Markers.ChangeOfCommit((await github.Git.GetCommitAsync(sha, cancellationToken).ConfigureAwait(false)).Message);
}
