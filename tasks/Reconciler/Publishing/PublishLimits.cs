namespace Reconciler.Publishing;

/// <summary>The limits of one run (SPEC settings <c>max_new_pull_requests</c>, <c>max_new_issues</c>).</summary>
public sealed record PublishLimits(int NewPullRequests, int NewIssues);
