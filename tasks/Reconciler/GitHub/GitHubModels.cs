namespace Reconciler.GitHub;

// The parts of GitHub's REST resources that Reconciler reads (snake_case on the wire). Unread fields are left out.

public sealed record Repository(string FullName, string DefaultBranch);

public sealed record GitObject(string Sha, string Type);

public sealed record GitReference(string Ref, [property: System.Text.Json.Serialization.JsonPropertyName("object")] GitObject Target);

public sealed record ShaOnly(string Sha);

public sealed record GitCommit(string Sha, string Message, ShaOnly Tree, IReadOnlyList<ShaOnly> Parents);

public sealed record GitTreeEntry(string Path, string Mode, string Type, string? Sha);

public sealed record GitTree(string Sha, IReadOnlyList<GitTreeEntry> Tree, bool Truncated);

public sealed record GitBlob(string Sha, string Content, string Encoding);

/// <param name="Repo">The repository the branch is in: a fork's for a pull request from a fork; null when GitHub has lost it (a deleted fork).</param>
public sealed record BranchPoint(string Ref, string Sha, RepositoryName? Repo = null);

public sealed record RepositoryName(string FullName);

/// <param name="User">Who opened it.</param>
public sealed record PullRequest(int Number, string State, string Title, string? Body, string HtmlUrl, BranchPoint Head, BranchPoint Base, DateTimeOffset? MergedAt = null, IReadOnlyList<Label>? Labels = null,
    IReadOnlyList<User>? RequestedReviewers = null, IReadOnlyList<Team>? RequestedTeams = null, User? User = null);

/// <summary>
/// A commit as <c>repos/get-commit</c> gives it: unlike the git data API's, it names the GitHub accounts its author and
/// committer are linked to (null when none is), and the files it changes from its first parent with their blobs.
/// </summary>
public sealed record RepositoryCommit(string Sha, CommitDetail Commit, User? Author, User? Committer, IReadOnlyList<ShaOnly> Parents, IReadOnlyList<CommitFile>? Files = null);

public sealed record CommitDetail(string Message, ShaOnly Tree);

/// <param name="Sha">The file's blob after the commit; null for a removed file.</param>
public sealed record CommitFile(string Filename, string? Sha, string Status);

public sealed record User(string Login);

public sealed record Team(string Slug);

public sealed record Label(string Name);

/// <param name="User">Who opened it.</param>
public sealed record Issue(int Number, string State, string Title, string? Body, string HtmlUrl, IReadOnlyList<Label> Labels, string? StateReason = null, object? PullRequest = null, IReadOnlyList<User>? Assignees = null, User? User = null);

public sealed record IssueComment(long Id, string? Body, string HtmlUrl, User? User = null);

// What Reconciler writes.

public sealed record NewTreeEntry(string Path, string Content, string Mode = "100644", string Type = "blob");

public sealed record NewTree(string? BaseTree, IReadOnlyList<NewTreeEntry> Tree);

public sealed record NewCommit(string Message, string Tree, IReadOnlyList<string> Parents);

public sealed record NewReference(string Ref, string Sha);

public sealed record ReferenceUpdate(string Sha, bool Force);

public sealed record NewPullRequest(string Title, string Head, string Base, string Body, bool MaintainerCanModify = true);

public sealed record PullRequestUpdate(string? Title = null, string? Body = null, string? State = null);

public sealed record NewIssue(string Title, string Body, IReadOnlyList<string> Labels);

public sealed record IssueUpdate(string? Title = null, string? Body = null, string? State = null, string? StateReason = null, IReadOnlyList<string>? Labels = null);

public sealed record NewComment(string Body);

public sealed record NewLabels(IReadOnlyList<string> Labels);

/// <summary>Logins and team slugs (of the repository's organisation) asked to review; null lists are left out.</summary>
public sealed record ReviewRequest(IReadOnlyList<string>? Reviewers, IReadOnlyList<string>? TeamReviewers);

public sealed record NewAssignees(IReadOnlyList<string> Assignees);
