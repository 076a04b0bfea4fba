namespace Reconciler.Publishing;

/// <summary>
/// A pull request as the publishing decision sees it, whatever the forge: the reader of each forge maps its own
/// items into these, so that <see cref="PublishDecisions"/> stays pure over neutral records.
/// </summary>
public sealed record ForgePullRequest(
    int Number,
    string Branch,
    string HeadSha,
    string Title,
    string? Body,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> RequestedReviewers,
    IReadOnlyList<string> RequestedTeams);

/// <summary>An issue as the publishing decision sees it, whatever the forge.</summary>
public sealed record ForgeIssue(int Number, bool IsOpen, string Title, string? Body, IReadOnlyList<string> Labels, IReadOnlyList<string> Assignees);
