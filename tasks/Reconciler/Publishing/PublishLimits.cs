namespace Reconciler.Publishing;

/// <summary>The limits of one run (settings <c>max_new_pull_requests</c>, <c>max_new_issues</c>; README "Publishing (Reconcile)").</summary>
public sealed record PublishLimits(int NewPullRequests, int NewIssues);
