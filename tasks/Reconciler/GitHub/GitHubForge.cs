using Reconciler.Policies.Model;
using Reconciler.Publishing;

namespace Reconciler.GitHub;

/// <summary>
/// GitHub as the publisher's forge: each call is the one REST request (or fixed few) it always was, through
/// <see cref="GitHubClient"/>; commits are made through the git data API, so nothing is checked out. GitHub's 422 on a
/// reviewer or an assignee is an answer here (<see cref="RoutingAnswer"/>), and on the state branch a
/// <see cref="ForgeRefusedException"/>: every other failure ends the run as the client raised it.
/// </summary>
public sealed class GitHubForge(GitHubClient github) : IForge
{
    private readonly GitHubWebLinks _links = new(github.Connection.ApiBase, github.Owner, github.Name);

    public string Name => "GitHub";

    public (int Reads, int Writes) Calls => github.Connection.Calls;

    public Task<ForgeState> ReadStateAsync(string login, IReadOnlyDictionary<string, Lazy<PlannedCommit>> planned, string stateBranch, CancellationToken cancellationToken) =>
        GitHubStateReader.ReadAsync(github, login, planned, stateBranch, cancellationToken);

    public async Task<BranchFiles> ReadBranchAsync(string branch, CancellationToken cancellationToken)
    {
        var reference = await github.Git.GetBranchAsync(branch, cancellationToken).ConfigureAwait(false)
            ?? throw new GitHubApiException(System.Net.HttpStatusCode.NotFound, $"GET git/ref/heads/{branch}", $"the branch '{branch}' has no ref");
        var commit = await github.Git.GetCommitAsync(reference.Target.Sha, cancellationToken).ConfigureAwait(false);
        var tree = await github.Git.GetTreeAsync(commit.Tree.Sha, recursive: true, cancellationToken).ConfigureAwait(false);
        return new BranchFiles(new ForgeCommit(commit.Sha, commit.Tree.Sha), tree.Tree.Where(e => e.Type == "blob" && e.Sha is not null).ToDictionary(e => e.Path, e => e.Sha!, StringComparer.Ordinal));
    }

    public async Task<BranchFile?> ReadFileAsync(string branch, string path, CancellationToken cancellationToken)
    {
        var reference = await github.Git.GetBranchAsync(branch, cancellationToken).ConfigureAwait(false);
        if (reference is null)
            return null;
        var commit = await github.Git.GetCommitAsync(reference.Target.Sha, cancellationToken).ConfigureAwait(false);
        var tree = await github.Git.GetTreeAsync(commit.Tree.Sha, recursive: false, cancellationToken).ConfigureAwait(false);
        var text = tree.Tree.FirstOrDefault(e => e.Path == path && e.Sha is not null) is { } entry
            ? await github.Git.GetBlobTextAsync(entry.Sha!, cancellationToken).ConfigureAwait(false)
            : null;
        return new BranchFile(new ForgeCommit(reference.Target.Sha, commit.Tree.Sha), text);
    }

    public string FileLink(string commit, string path, int line) => _links.File(commit, path, line);

    public async Task<ForgeCommit> CommitAsync(ForgeCommit? onto, IReadOnlyDictionary<string, string> files, string message, CancellationToken cancellationToken)
    {
        var tree = await github.Git.CreateTreeAsync(onto?.Tree, files, cancellationToken).ConfigureAwait(false);
        var commit = await github.Git.CreateCommitAsync(message, tree.Sha, onto?.Sha, cancellationToken).ConfigureAwait(false);
        return new ForgeCommit(commit.Sha, tree.Sha);
    }

    public Task CreateBranchAsync(string branch, string commit, CancellationToken cancellationToken) =>
        github.Git.CreateBranchAsync(branch, commit, cancellationToken);

    public Task MoveBranchAsync(string branch, string commit, CancellationToken cancellationToken) =>
        github.Git.MoveBranchAsync(branch, commit, cancellationToken);

    public async Task AdvanceBranchAsync(string branch, string? from, string commit, CancellationToken cancellationToken)
    {
        try
        {
            if (from is null)
                await github.Git.CreateBranchAsync(branch, commit, cancellationToken).ConfigureAwait(false);
            else
                await github.Git.MoveBranchAsync(branch, commit, cancellationToken, force: false).ConfigureAwait(false);
        }
        catch (GitHubValidationException e)
        {
            // 422 "Reference already exists" or "Update is not a fast forward" (409 on some servers).
            throw new ForgeRefusedException(e.Message, e);
        }
    }

    public Task DeleteBranchAsync(string branch, CancellationToken cancellationToken) =>
        github.Git.DeleteBranchAsync(branch, cancellationToken);

    public async Task<ForgePullRequest> OpenPullRequestAsync(string branch, string into, string title, string body, CancellationToken cancellationToken) =>
        (await github.PullRequests.CreateAsync(new NewPullRequest(title, branch, into, body), cancellationToken).ConfigureAwait(false)).ToForge();

    public Task UpdatePullRequestAsync(int number, string? title, string body, CancellationToken cancellationToken) =>
        github.PullRequests.UpdateAsync(number, new PullRequestUpdate(title, body), cancellationToken);

    public Task ClosePullRequestAsync(int number, CancellationToken cancellationToken) =>
        github.PullRequests.UpdateAsync(number, new PullRequestUpdate(State: "closed"), cancellationToken);

    // A pull request is an issue to GitHub for labels and comments.
    public Task AddPullRequestLabelsAsync(int number, IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        github.Issues.AddLabelsAsync(number, labels, cancellationToken);

    public Task CommentOnPullRequestAsync(int number, string body, CancellationToken cancellationToken) =>
        github.Issues.CommentAsync(number, body, cancellationToken);

    public async Task<IReadOnlyList<ForgeComment>> ListPullRequestCommentsAsync(int number, CancellationToken cancellationToken) =>
        [.. (await github.Issues.ListCommentsAsync(number, cancellationToken).ConfigureAwait(false)).Select(ToForge)];

    public async Task<ForgeComment> AddPullRequestCommentAsync(int number, string body, CancellationToken cancellationToken) =>
        ToForge(await github.Issues.CommentAsync(number, body, cancellationToken).ConfigureAwait(false));

    public Task UpdateCommentAsync(ForgeComment comment, string body, CancellationToken cancellationToken) =>
        github.Issues.UpdateCommentAsync(comment.Id, body, cancellationToken);

    // A comment whose author GitHub no longer knows (a deleted account, "ghost") is nobody's: never the bot's.
    private static ForgeComment ToForge(IssueComment comment) => new(comment.Id, comment.User?.Login ?? "", comment.Body, comment.HtmlUrl);

    /// <summary>GitHub answers 422 for a login that is not a collaborator or a team that does not exist: a refusal, remembered by the caller.</summary>
    public async Task<RoutingAnswer> RequestReviewAsync(int number, OwnerHandle owner, CancellationToken cancellationToken)
    {
        try
        {
            await github.PullRequests.RequestReviewersAsync(number, owner.IsTeam ? new ReviewRequest(null, [owner.Team!]) : new ReviewRequest([owner.Login], null), cancellationToken).ConfigureAwait(false);
            return RoutingAnswer.Done;
        }
        catch (GitHubValidationException e)
        {
            return RoutingAnswer.Refused($"GitHub would not ask {owner} to review #{number}: {e.Message}");
        }
    }

    public async Task<ForgeIssue> OpenIssueAsync(string title, string body, IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        (await github.Issues.CreateAsync(new NewIssue(title, body, labels), cancellationToken).ConfigureAwait(false)).ToForge();

    public Task UpdateIssueAsync(int number, IssueEdit edit, CancellationToken cancellationToken) =>
        github.Issues.UpdateAsync(number, new IssueUpdate(edit.Title, edit.Body, edit.Open ? "open" : null, Labels: edit.Labels), cancellationToken);

    public Task CloseIssueAsync(int number, string body, string reason, CancellationToken cancellationToken) =>
        github.Issues.UpdateAsync(number, new IssueUpdate(Body: body, State: "closed", StateReason: reason), cancellationToken);

    public Task CommentOnIssueAsync(int number, string body, CancellationToken cancellationToken) =>
        github.Issues.CommentAsync(number, body, cancellationToken);

    /// <summary>GitHub leaves out, without an error, whoever cannot be assigned: the answer says who is, and anyone left out is refused too.</summary>
    public async Task<RoutingAnswer> AssignAsync(int number, OwnerHandle assignee, CancellationToken cancellationToken)
    {
        Issue after;
        try
        {
            after = await github.Issues.AddAssigneesAsync(number, [assignee.Login], cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubValidationException e)
        {
            return RoutingAnswer.Refused($"GitHub would not assign #{number} to {assignee}: {e.Message}");
        }
        return (after.Assignees ?? []).Any(u => u.Login.Equals(assignee.Login, StringComparison.OrdinalIgnoreCase))
            ? RoutingAnswer.Done
            : RoutingAnswer.Refused($"GitHub did not assign #{number} to {assignee}: they cannot be assigned in this repository");
    }
}
