namespace Reconciler.Publishing;

/// <summary>An open pull request the bot made, its marker, and what its branch head really is.</summary>
/// <param name="HeadChange">The change the branch head commit proposes when the bot made that commit; null when someone else did.</param>
public sealed record BotPullRequest(ForgePullRequest PullRequest, PullRequestMarker Marker, string? HeadChange)
{
    public string Branch => PullRequest.Branch;
    public bool SomeoneElsePushed => HeadChange is null;
}

/// <summary>A bot branch with no open pull request: left by a run that stopped halfway, by a merge, or by a person who closed the PR.</summary>
/// <param name="HeadChange">The change its head commit proposes, or null when the head is not the bot's commit.</param>
/// <param name="DeclinedChange">The change of a pull request from this branch that a person closed without merging.</param>
/// <param name="DeclinedNumber">That pull request's number.</param>
public sealed record BotBranch(string Branch, string Sha, string? HeadChange, string? DeclinedChange, int? DeclinedNumber = null);

/// <summary>The commit the bot would make for a planned change: the change its trailer names, and each file it changes (repository path) with its blob.</summary>
public sealed record PlannedCommit(string Change, IReadOnlyDictionary<string, string> Blobs);

/// <summary>An issue the bot made, with its marker.</summary>
public sealed record BotIssue(ForgeIssue Issue, IssueMarker Marker)
{
    public bool IsOpen => Issue.IsOpen;
}

/// <summary>What is on GitHub now, as far as the bot's work goes: only its own items. Read with a fixed number of listings, whatever the drift.</summary>
/// <param name="DefaultBranchSha">The default branch's head: what links to policy lines point at.</param>
public sealed record GitHubState(
    string DefaultBranch,
    string? DefaultBranchSha,
    IReadOnlyDictionary<string, BotPullRequest> OpenPullRequests,
    IReadOnlyDictionary<string, BotBranch> OrphanBranches,
    IReadOnlyList<BotIssue> Issues,
    ForgeIssue? Dashboard,
    IReadOnlyList<string>? Ignored = null)
{
    /// <summary>Items that carry the bot's marker but are not the bot's (README "Publishing (Reconcile)"), each said once.</summary>
    public IReadOnlyList<string> IgnoredItems => Ignored ?? [];
}
