using Reconciler.Planning;

namespace Reconciler.Publishing;

/// <summary>A change a person closed without merging: listed on the dashboard with a box to tick to have it proposed again.</summary>
public sealed record DeclinedChange(PlannedPullRequest Planned, string Change, int? Number, bool Ticked);

/// <summary>What a run does on the forge, and what it leaves for people (listed on the dashboard).</summary>
public sealed record PublishDecision(
    IReadOnlyList<PublishAction> Actions,
    IReadOnlyList<PlannedPullRequest> WaitingPullRequests,
    IReadOnlyList<PlannedIssue> WaitingIssues,
    IReadOnlyList<string> LeftToPeople,
    IReadOnlyList<DeclinedChange>? Declined = null)
{
    public IReadOnlyList<DeclinedChange> DeclinedChanges => Declined ?? [];
}
