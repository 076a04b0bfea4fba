using Reconciler.Publishing;

namespace Reconciler.GitHub;

/// <summary>GitHub's pull requests and issues as the neutral records the publishing decision reads.</summary>
public static class GitHubItems
{
    public static ForgePullRequest ToForge(this PullRequest pr) => new(
        pr.Number, pr.Head.Ref, pr.Head.Sha, pr.Title, pr.Body,
        [.. (pr.Labels ?? []).Select(l => l.Name)],
        [.. (pr.RequestedReviewers ?? []).Select(u => u.Login)],
        [.. (pr.RequestedTeams ?? []).Select(t => t.Slug)]);

    public static ForgeIssue ToForge(this Issue issue) => new(
        issue.Number, issue.State == "open", issue.Title, issue.Body,
        [.. issue.Labels.Select(l => l.Name)],
        [.. (issue.Assignees ?? []).Select(u => u.Login)]);
}
