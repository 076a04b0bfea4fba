namespace Reconciler.GitHub;

/// <summary>The small GitHub client: one repository, one area client per part of the API that Reconciler uses.</summary>
public sealed class GitHubClient(GitHubConnection connection, string owner, string name)
{
    public GitHubConnection Connection => connection;
    public string Owner => owner;
    public string Name => name;
    public string Repository => $"{owner}/{name}";

    private string Root => $"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}";

    public GitDataClient Git => new(connection, Root);
    public PullRequestsClient PullRequests => new(connection, Root, owner);
    public IssuesClient Issues => new(connection, Root);

    public Task<Repository> GetRepositoryAsync(CancellationToken cancellationToken) =>
        connection.GetAsync<Repository>(Root, cancellationToken);

    /// <summary>Whose token this is; GitHub refuses it (403) to a GitHub App's installation token, Actions' GITHUB_TOKEN included.</summary>
    public Task<User> GetAuthenticatedUserAsync(CancellationToken cancellationToken) =>
        connection.GetAsync<User>("user", cancellationToken);

    /// <summary>A commit with the accounts of its author and committer and the files it changes.</summary>
    public Task<RepositoryCommit> GetCommitAsync(string sha, CancellationToken cancellationToken) =>
        connection.GetAsync<RepositoryCommit>($"{Root}/commits/{Uri.EscapeDataString(sha)}", cancellationToken);

    /// <summary><c>--repository</c> (or GITHUB_REPOSITORY) as owner and name.</summary>
    public static (string Owner, string Name) ParseRepository(string? repository) =>
        repository?.Split('/') is [{ Length: > 0 } owner, { Length: > 0 } name]
            ? (owner, name)
            : throw Diagnostics.ReconcilerException.InvalidArgument("repository", $"'{repository}' is not OWNER/NAME (GITHUB_REPOSITORY in GitHub Actions)");
}

/// <summary>Git data: refs, commits, trees, blobs. A branch is moved only after its commit exists, so nothing is ever half made.</summary>
public sealed class GitDataClient(GitHubConnection connection, string root)
{
    // A '/' inside {ref} must be escaped: the spec's path parameter is one segment.
    private static string Ref(string name) => Uri.EscapeDataString(name);

    /// <summary>The branch's ref, or null when there is no such branch.</summary>
    public async Task<GitReference?> GetBranchAsync(string branch, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.GetAsync<GitReference>($"{root}/git/ref/{Ref("heads/" + branch)}", cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Every branch whose name starts with the prefix, in one listing.</summary>
    public Task<IReadOnlyList<GitReference>> ListBranchesAsync(string prefix, CancellationToken cancellationToken) =>
        connection.GetAllAsync<GitReference>($"{root}/git/matching-refs/{Ref("heads/" + prefix)}", cancellationToken, paged: false);

    public Task<GitReference> CreateBranchAsync(string branch, string sha, CancellationToken cancellationToken) =>
        connection.SendAsync<GitReference>(HttpMethod.Post, $"{root}/git/refs", new NewReference("refs/heads/" + branch, sha), cancellationToken);

    /// <summary>Moves the branch to the commit; forced by default, because the bot rebuilds its branches on the current base.</summary>
    public Task<GitReference> MoveBranchAsync(string branch, string sha, CancellationToken cancellationToken, bool force = true) =>
        connection.SendAsync<GitReference>(HttpMethod.Patch, $"{root}/git/refs/{Ref("heads/" + branch)}", new ReferenceUpdate(sha, force), cancellationToken);

    public Task DeleteBranchAsync(string branch, CancellationToken cancellationToken) =>
        connection.SendAsync(HttpMethod.Delete, $"{root}/git/refs/{Ref("heads/" + branch)}", null, cancellationToken);

    public Task<GitCommit> GetCommitAsync(string sha, CancellationToken cancellationToken) =>
        connection.GetAsync<GitCommit>($"{root}/git/commits/{sha}", cancellationToken);

    /// <param name="parent">Null for the first commit of a new history.</param>
    public Task<GitCommit> CreateCommitAsync(string message, string tree, string? parent, CancellationToken cancellationToken) =>
        connection.SendAsync<GitCommit>(HttpMethod.Post, $"{root}/git/commits", new NewCommit(message, tree, parent is null ? [] : [parent]), cancellationToken);

    public Task<GitTree> GetTreeAsync(string sha, bool recursive, CancellationToken cancellationToken) =>
        connection.GetAsync<GitTree>($"{root}/git/trees/{sha}{(recursive ? "?recursive=1" : "")}", cancellationToken);

    /// <summary>A tree on top of <paramref name="baseTree"/> with these files' contents replaced or added.</summary>
    public Task<GitTree> CreateTreeAsync(string? baseTree, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken) =>
        connection.SendAsync<GitTree>(HttpMethod.Post, $"{root}/git/trees",
            new NewTree(baseTree, [.. files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new NewTreeEntry(f.Key, f.Value))]), cancellationToken);

    public async Task<string> GetBlobTextAsync(string sha, CancellationToken cancellationToken)
    {
        var blob = await connection.GetAsync<GitBlob>($"{root}/git/blobs/{sha}", cancellationToken).ConfigureAwait(false);
        return blob.Encoding == "base64"
            ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(blob.Content.Replace("\n", "", StringComparison.Ordinal)))
            : blob.Content;
    }
}

public sealed class PullRequestsClient(GitHubConnection connection, string root, string owner)
{
    public Task<IReadOnlyList<PullRequest>> ListOpenAsync(CancellationToken cancellationToken) =>
        connection.GetAllAsync<PullRequest>($"{root}/pulls?state=open", cancellationToken);

    /// <summary>Closed pull requests from one branch of this repository (to tell a declined proposal from a half-made one).</summary>
    public Task<IReadOnlyList<PullRequest>> ListClosedFromAsync(string branch, CancellationToken cancellationToken) =>
        connection.GetAllAsync<PullRequest>($"{root}/pulls?state=closed&head={Uri.EscapeDataString(owner + ":" + branch)}", cancellationToken);

    public Task<PullRequest> CreateAsync(NewPullRequest pullRequest, CancellationToken cancellationToken) =>
        connection.SendAsync<PullRequest>(HttpMethod.Post, $"{root}/pulls", pullRequest, cancellationToken);

    public Task<PullRequest> UpdateAsync(int number, PullRequestUpdate update, CancellationToken cancellationToken) =>
        connection.SendAsync<PullRequest>(HttpMethod.Patch, $"{root}/pulls/{number}", update, cancellationToken);

    /// <summary>Asks people and teams to review; GitHub answers 422 when one of them is not a collaborator.</summary>
    public Task<PullRequest> RequestReviewersAsync(int number, ReviewRequest request, CancellationToken cancellationToken) =>
        connection.SendAsync<PullRequest>(HttpMethod.Post, $"{root}/pulls/{number}/requested_reviewers", request, cancellationToken);
}

/// <summary>Issues, their comments and labels (a pull request is an issue here too, for comments and labels).</summary>
public sealed class IssuesClient(GitHubConnection connection, string root)
{
    /// <summary>Open and closed issues one account opened, whatever their labels; pull requests (which the API lists too) are left out.</summary>
    public Task<IReadOnlyList<Issue>> ListByCreatorAsync(string login, CancellationToken cancellationToken) =>
        ListAsync($"creator={Uri.EscapeDataString(login)}", cancellationToken);

    /// <summary>Open and closed issues carrying a label, whoever opened them; pull requests are left out.</summary>
    public Task<IReadOnlyList<Issue>> ListWithLabelAsync(string label, CancellationToken cancellationToken) =>
        ListAsync($"labels={Uri.EscapeDataString(label)}", cancellationToken);

    private async Task<IReadOnlyList<Issue>> ListAsync(string filter, CancellationToken cancellationToken) =>
        [.. (await connection.GetAllAsync<Issue>($"{root}/issues?state=all&{filter}", cancellationToken).ConfigureAwait(false))
            .Where(i => i.PullRequest is null)];

    public Task<Issue> CreateAsync(NewIssue issue, CancellationToken cancellationToken) =>
        connection.SendAsync<Issue>(HttpMethod.Post, $"{root}/issues", issue, cancellationToken);

    public Task<Issue> UpdateAsync(int number, IssueUpdate update, CancellationToken cancellationToken) =>
        connection.SendAsync<Issue>(HttpMethod.Patch, $"{root}/issues/{number}", update, cancellationToken);

    public Task<IReadOnlyList<IssueComment>> ListCommentsAsync(int number, CancellationToken cancellationToken) =>
        connection.GetAllAsync<IssueComment>($"{root}/issues/{number}/comments", cancellationToken);

    public Task<IssueComment> CommentAsync(int number, string body, CancellationToken cancellationToken) =>
        connection.SendAsync<IssueComment>(HttpMethod.Post, $"{root}/issues/{number}/comments", new NewComment(body), cancellationToken);

    public Task<IssueComment> UpdateCommentAsync(long id, string body, CancellationToken cancellationToken) =>
        connection.SendAsync<IssueComment>(HttpMethod.Patch, $"{root}/issues/comments/{id}", new NewComment(body), cancellationToken);

    /// <summary>Assigns people; GitHub leaves out, without an error, anyone who cannot be assigned: the answer says who is.</summary>
    public Task<Issue> AddAssigneesAsync(int number, IReadOnlyList<string> assignees, CancellationToken cancellationToken) =>
        connection.SendAsync<Issue>(HttpMethod.Post, $"{root}/issues/{number}/assignees", new NewAssignees(assignees), cancellationToken);

    public Task AddLabelsAsync(int number, IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        connection.SendAsync<IReadOnlyList<Label>>(HttpMethod.Post, $"{root}/issues/{number}/labels", new NewLabels(labels), cancellationToken);
}
