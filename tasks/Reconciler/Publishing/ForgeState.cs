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

/// <summary>
/// What is on the forge now, as far as the bot's work goes: only its own items (README "Publishing (Reconcile)"). Each
/// forge reads it its own way (<see cref="IForge.ReadStateAsync"/>), with a fixed number of listings whatever the drift.
/// </summary>
/// <param name="DefaultBranchSha">The default branch's head: what links to policy lines point at.</param>
public sealed record ForgeState(
    string DefaultBranch,
    string? DefaultBranchSha,
    IReadOnlyDictionary<string, BotPullRequest> OpenPullRequests,
    IReadOnlyDictionary<string, BotBranch> OrphanBranches,
    IReadOnlyList<BotIssue> Issues,
    ForgeIssue? Dashboard,
    IReadOnlyList<string>? Ignored = null)
{
    /// <summary>Where the bot's branches are; the bot's own state branch is among them and left out of <see cref="OrphanBranches"/>.</summary>
    public const string BranchPrefix = "reconciler/";

    /// <summary>The label on everything the bot opens. A forge may list by it, but never decides by it what is the bot's.</summary>
    public const string Label = "reconciler";

    /// <summary>Items that carry the bot's marker but are not the bot's (README "Publishing (Reconcile)"), each said once.</summary>
    public IReadOnlyList<string> IgnoredItems => Ignored ?? [];
}
