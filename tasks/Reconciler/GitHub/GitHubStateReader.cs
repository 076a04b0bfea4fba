using Reconciler.Publishing;

namespace Reconciler.GitHub;

/// <summary>
/// GitHub's way of finding what is the bot's: reads <see cref="ForgeState"/>, the repository and its default branch, open PRs, bot branches and the bot's issues
/// (five listings: the bot's issues by creator and by label), plus one commit per branch whose head is not what the bot last pushed. Only the bot's own items
/// count (README "Publishing (Reconcile)"): ownership is read from who made them, never from the text they carry.
/// </summary>
public static class GitHubStateReader
{
    private const string BranchPrefix = ForgeState.BranchPrefix;

    /// <param name="login">The bot's own account: whose token this is.</param>
    /// <param name="planned">For each planned branch, the commit the bot would make there (made only when a head must be checked).</param>
    public static async Task<ForgeState> ReadAsync(GitHubClient github, string login, IReadOnlyDictionary<string, Lazy<PlannedCommit>> planned, string stateBranch, CancellationToken cancellationToken)
    {
        var repository = await github.GetRepositoryAsync(cancellationToken).ConfigureAwait(false);
        var defaultHead = await github.Git.GetBranchAsync(repository.DefaultBranch, cancellationToken).ConfigureAwait(false);
        var open = await github.PullRequests.ListOpenAsync(cancellationToken).ConfigureAwait(false);
        var branches = await github.Git.ListBranchesAsync(BranchPrefix, cancellationToken).ConfigureAwait(false);
        // By creator, so that a person removing the label does not make the bot forget its issue; and by label too,
        // because the creator filter is known not to match a GitHub App's `name[bot]` login on some GitHub
        // deployments. Ownership is decided below from each issue's author either way.
        var byCreator = await github.Issues.ListByCreatorAsync(login, cancellationToken).ConfigureAwait(false);
        var byLabel = await github.Issues.ListWithLabelAsync(ForgeState.Label, cancellationToken).ConfigureAwait(false);
        var issues = byCreator.Concat(byLabel).DistinctBy(i => i.Number).ToList();
        var ignored = new List<string>();

        async Task<string?> BotChangeAsync(string sha, string branch) =>
            BotChange(await github.GetCommitAsync(sha, cancellationToken).ConfigureAwait(false), login, planned.GetValueOrDefault(branch)?.Value);

        var pullRequests = new Dictionary<string, BotPullRequest>(StringComparer.Ordinal);
        foreach (var pr in open)
        {
            if (Markers.PullRequest(pr.Body) is not { } marker)
                continue;
            if (NotOwn(pr, marker, github.Repository, login) is { } why)
            {
                ignored.Add($"#{pr.Number} carries Reconciler's marker but is not Reconciler's ({why}): left alone");
                continue;
            }
            // The head the bot recorded is its own commit; any other must prove it is one the bot made.
            var headChange = pr.Head.Sha == marker.Head ? marker.Change : await BotChangeAsync(pr.Head.Sha, pr.Head.Ref).ConfigureAwait(false);
            pullRequests[pr.Head.Ref] = new BotPullRequest(pr.ToForge(), marker, headChange);
        }

        var orphans = new Dictionary<string, BotBranch>(StringComparer.Ordinal);
        foreach (var reference in branches)
        {
            var branch = reference.Ref["refs/heads/".Length..];
            if (branch == stateBranch || pullRequests.ContainsKey(branch))
                continue;
            var headChange = await BotChangeAsync(reference.Target.Sha, branch).ConfigureAwait(false);
            (string Change, int Number)? declined = null;
            if (planned.ContainsKey(branch))
            {
                var closed = await github.PullRequests.ListClosedFromAsync(branch, cancellationToken).ConfigureAwait(false);
                declined = closed.Where(p => p.MergedAt is null && IsBots(p.User, login) && SameRepository(p.Head.Repo, github.Repository)).OrderByDescending(p => p.Number)
                    .Select(p => Markers.PullRequest(p.Body)?.Change is { } change ? (change, p.Number) : ((string, int)?)null).FirstOrDefault(c => c is not null);
            }
            orphans[branch] = new BotBranch(branch, reference.Target.Sha, headChange, declined?.Change, declined?.Number);
        }

        var own = issues.Where(i => IsBots(i.User, login)).ToList();
        var botIssues = own.Select(i => Markers.Issue(i.Body) is { } marker ? new BotIssue(i.ToForge(), marker) : null).OfType<BotIssue>().ToList();
        var dashboard = own.Where(i => Markers.IsDashboard(i.Body)).OrderByDescending(i => i.State == "open").ThenBy(i => i.Number).FirstOrDefault();
        return new ForgeState(repository.DefaultBranch, defaultHead?.Target.Sha, pullRequests, orphans, botIssues, dashboard?.ToForge(), ignored);
    }

    /// <summary>Why a pull request with the bot's marker is not the bot's, or null when it is.</summary>
    public static string? NotOwn(PullRequest pr, PullRequestMarker marker, string repository, string login) =>
        !SameRepository(pr.Head.Repo, repository) ? $"its head is in {pr.Head.Repo?.FullName ?? "a repository GitHub no longer knows"}, not {repository}"
        : !pr.Head.Ref.StartsWith(BranchPrefix, StringComparison.Ordinal) ? $"its branch {pr.Head.Ref} is not under {BranchPrefix}"
        : !IsBots(pr.User, login) ? $"{pr.User?.Login ?? "someone"} opened it, not {login}"
        : marker.Branch != pr.Head.Ref ? $"its marker names the branch {marker.Branch}, not {pr.Head.Ref}"
        : null;

    /// <summary>
    /// The change a commit proposes when the bot made it: its author and committer are the bot's account (a person who
    /// amends or rebases it is the committer, whatever its trailer says), it has one parent, and, for a planned change,
    /// it changes exactly the files that change would, to the same contents. Null for anyone else's commit.
    /// </summary>
    public static string? BotChange(RepositoryCommit commit, string login, PlannedCommit? planned)
    {
        if (!IsBots(commit.Author, login) || !IsBots(commit.Committer, login) || commit.Parents.Count != 1)
            return null;
        if (Markers.ChangeOfCommit(commit.Commit.Message) is not { } change)
            return null;
        if (planned is not null && change == planned.Change && commit.Files is { } files
            && !(files.Count == planned.Blobs.Count && files.Select(f => $"{f.Filename}\n{f.Sha}").ToHashSet(StringComparer.Ordinal).SetEquals(planned.Blobs.Select(f => $"{f.Key}\n{f.Value}"))))
            return null;
        return change;
    }

    private static bool IsBots(User? user, string login) => user is not null && user.Login.Equals(login, StringComparison.OrdinalIgnoreCase);

    private static bool SameRepository(RepositoryName? repo, string repository) => repo is not null && repo.FullName.Equals(repository, StringComparison.OrdinalIgnoreCase);
}
