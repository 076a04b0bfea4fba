using Reconciler.Policies.Model;
using Reconciler.Planning;

namespace Reconciler.Publishing;

/// <summary>One thing a run does on the forge; <see cref="PublishDecisions.Decide"/> makes the list, <see cref="Publisher"/> carries it out.</summary>
public abstract record PublishAction;

/// <summary>
/// Open a pull request; <paramref name="BranchSha"/> is the bot branch already there (moved, or used as is when
/// <paramref name="CommitReady"/>); <paramref name="Owner"/> is asked to review it.
/// </summary>
public sealed record OpenPullRequest(PlannedPullRequest Planned, string Change, string? BranchSha, bool CommitReady, OwnerHandle? Owner = null) : PublishAction;

/// <summary>
/// Bring an open pull request to what the plan says: rebuild the branch on the current base (unless the head already is
/// this change), and repair its title, body, labels and review request where they differ. <paramref name="RewriteText"/>:
/// its title or body say something else than the plan; <paramref name="MissingLabels"/>: the bot's labels it lacks. The
/// state marker is rewritten besides when carrying the action out changes it (a new head, a review asked).
/// </summary>
public sealed record UpdatePullRequest(
    PlannedPullRequest Planned, string Change, ForgePullRequest Existing, bool CommitReady, Routing Routed, bool RewriteText, IReadOnlyList<string> MissingLabels, OwnerHandle? Owner = null) : PublishAction;

public sealed record ClosePullRequest(BotPullRequest Existing) : PublishAction;

public sealed record BackOffPullRequest(BotPullRequest Existing) : PublishAction;

public sealed record DeleteBranch(BotBranch Branch) : PublishAction;

public sealed record OpenIssue(PlannedIssue Planned, IssueMarker Marker, OwnerHandle? Assignee = null) : PublishAction;

/// <summary>
/// Bring an issue to what the plan says (title, body, labels, assignee; reopened when <paramref name="Reopen"/>);
/// <paramref name="Comment"/> is said only when severity or evidence changed, or it came back. <paramref name="Rewrite"/>:
/// it must be reopened, or its title, body or labels differ from the plan's; the state marker is rewritten besides when
/// it differs from the one the run records.
/// </summary>
public sealed record UpdateIssue(PlannedIssue Planned, IssueMarker Marker, ForgeIssue Existing, bool Reopen, string? Comment, bool Rewrite, OwnerHandle? Assignee = null) : PublishAction;

public sealed record CloseIssue(BotIssue Existing, string Comment, string StateReason) : PublishAction;
