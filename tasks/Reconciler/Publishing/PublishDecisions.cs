using System.Text.RegularExpressions;
using Reconciler.Engine;
using Reconciler.GitHub;
using Reconciler.Reports;

namespace Reconciler.Publishing;

public abstract record PublishAction;

/// <summary>Open a pull request; <paramref name="BranchSha"/> is the bot branch already there (moved, or used as is when <paramref name="CommitReady"/>).</summary>
public sealed record OpenPullRequest(PlannedPullRequest Planned, string Change, string? BranchSha, bool CommitReady) : PublishAction;

/// <summary>Rebuild the branch on the current base (unless the head already is this change) and rewrite the body.</summary>
public sealed record UpdatePullRequest(PlannedPullRequest Planned, string Change, PullRequest Existing, bool CommitReady) : PublishAction;

public sealed record ClosePullRequest(BotPullRequest Existing) : PublishAction;

public sealed record BackOffPullRequest(BotPullRequest Existing) : PublishAction;

public sealed record DeleteBranch(BotBranch Branch) : PublishAction;

public sealed record OpenIssue(PlannedIssue Planned, IssueMarker Marker) : PublishAction;

/// <summary>Rewrite an issue's body (and reopen it); <paramref name="Comment"/> is said only when severity or evidence changed, or it came back.</summary>
public sealed record UpdateIssue(PlannedIssue Planned, IssueMarker Marker, Issue Existing, bool Reopen, string? Comment) : PublishAction;

public sealed record CloseIssue(BotIssue Existing, string Comment, string StateReason) : PublishAction;

/// <summary>What a run does on GitHub, and what it leaves for people (listed on the dashboard).</summary>
public sealed record PublishDecision(
    IReadOnlyList<PublishAction> Actions,
    IReadOnlyList<PlannedPullRequest> WaitingPullRequests,
    IReadOnlyList<PlannedIssue> WaitingIssues,
    IReadOnlyList<string> LeftToPeople);

/// <summary>The limits of one run (SPEC settings <c>max_new_pull_requests</c>, <c>max_new_issues</c>).</summary>
public sealed record PublishLimits(int NewPullRequests, int NewIssues);

/// <summary>
/// Decides what a run changes on GitHub from the plan and what is there now. Pure. The same plan against the
/// state it produced decides nothing: that is what keeps a scheduled bot quiet.
/// </summary>
public static partial class PublishDecisions
{
    /// <param name="unsure">Dependencies whose drift this run could not see (a lookup failed): their PRs and issues are left as they are.</param>
    public static PublishDecision Decide(ChangePlan plan, GitHubState state, PublishLimits limits, IReadOnlySet<string> unsure)
    {
        var actions = new List<PublishAction>();
        var waitingPrs = new List<PlannedPullRequest>();
        var waitingIssues = new List<PlannedIssue>();
        var people = new List<string>();

        var planned = plan.PullRequests.Where(p => p.Failure is null).ToList();
        var newPrs = 0;
        foreach (var pr in planned.OrderByDescending(p => p.Findings.Max(f => f.Severity)).ThenBy(p => p.Branch, StringComparer.Ordinal))
        {
            var change = ChangeOf(pr);
            if (state.OpenPullRequests.TryGetValue(pr.Branch, out var open))
            {
                if (open.Marker.BackedOff)
                    people.Add($"#{open.PullRequest.Number} (`{pr.Branch}`): someone else pushed to it, so Reconciler leaves it to them");
                else if (open.SomeoneElsePushed)
                    actions.Add(new BackOffPullRequest(open));
                else if (open.HeadChange != change)
                    actions.Add(new UpdatePullRequest(pr, change, open.PullRequest, CommitReady: false));
                else if (open.Marker.Change != change || open.Marker.Head != open.PullRequest.Head.Sha)
                    actions.Add(new UpdatePullRequest(pr, change, open.PullRequest, CommitReady: true)); // a run stopped between moving the branch and the body
                continue;
            }
            if (state.OrphanBranches.TryGetValue(pr.Branch, out var orphan))
            {
                if (orphan.DeclinedChange == change)
                {
                    people.Add($"`{pr.Branch}`: this change was proposed and closed without merging; delete the branch to have it proposed again");
                    continue;
                }
                if (orphan.HeadChange is null)
                {
                    people.Add($"`{pr.Branch}`: the branch has commits Reconciler did not make and no pull request; delete it to hand it back");
                    continue;
                }
            }
            if (newPrs == limits.NewPullRequests)
            {
                waitingPrs.Add(pr);
                continue;
            }
            newPrs++;
            actions.Add(orphan is null
                ? new OpenPullRequest(pr, change, null, CommitReady: false)
                : new OpenPullRequest(pr, change, orphan.Sha, CommitReady: orphan.HeadChange == change));
        }

        var plannedBranches = plan.PullRequests.Select(p => p.Branch).ToHashSet(StringComparer.Ordinal);
        foreach (var open in state.OpenPullRequests.Values.Where(o => !plannedBranches.Contains(o.Branch)).OrderBy(o => o.Branch, StringComparer.Ordinal))
        {
            if (open.Marker.BackedOff || open.SomeoneElsePushed)
                people.Add($"#{open.PullRequest.Number} (`{open.Branch}`): the drift is gone, but someone else pushed to it; close it if it is no longer needed");
            else if (!unsure.Contains(DependencyOfBranch(open.Branch)))
                actions.Add(new ClosePullRequest(open));
        }
        foreach (var orphan in state.OrphanBranches.Values.Where(o => !plannedBranches.Contains(o.Branch) && o.HeadChange is not null).OrderBy(o => o.Branch, StringComparer.Ordinal))
            actions.Add(new DeleteBranch(orphan));

        var byFingerprint = state.Issues.ToLookup(i => i.Marker.Fingerprint, StringComparer.Ordinal);
        var newIssues = 0;
        foreach (var issue in plan.Issues.OrderByDescending(i => i.Finding.Severity).ThenBy(i => i.Finding.Fingerprint, StringComparer.Ordinal))
        {
            var marker = MarkerOf(issue);
            var existing = byFingerprint[marker.Fingerprint].OrderBy(i => i.Issue.Number).ToList();
            var open = existing.Where(i => i.IsOpen).ToList();
            if (open.Count > 0)
            {
                var keep = open[0];
                foreach (var duplicate in open.Skip(1))
                    actions.Add(new CloseIssue(duplicate, $"Duplicate of #{keep.Issue.Number}: Reconciler keeps one issue per finding.", "not_planned"));
                if (keep.Marker.Revision != marker.Revision || keep.Marker.Material != marker.Material)
                    actions.Add(new UpdateIssue(issue, marker, keep.Issue, Reopen: false, MaterialChange(keep.Marker, marker, issue)));
                continue;
            }
            if (existing.Count > 0)
            {
                var last = existing[^1];
                if (last.Marker.Resolved)
                    actions.Add(new UpdateIssue(issue, marker, last.Issue, Reopen: true, "This drift is back: Reconciler finds it again, so the issue is reopened."));
                else
                    people.Add($"#{last.Issue.Number} ({issue.Title}): closed by a person while Reconciler still finds it");
                continue;
            }
            if (newIssues == limits.NewIssues)
            {
                waitingIssues.Add(issue);
                continue;
            }
            newIssues++;
            actions.Add(new OpenIssue(issue, marker));
        }
        var plannedFingerprints = plan.Issues.Select(i => i.Finding.Fingerprint).ToHashSet(StringComparer.Ordinal);
        foreach (var open in state.Issues.Where(i => i.IsOpen && !plannedFingerprints.Contains(i.Marker.Fingerprint) && !unsure.Contains(i.Marker.Dependency)).OrderBy(i => i.Issue.Number))
            actions.Add(new CloseIssue(open, "Resolved: Reconciler no longer finds this drift.", "completed"));

        return new PublishDecision(actions, waitingPrs, waitingIssues, people);
    }

    /// <summary>The change a pull request proposes: the same additions and removals give the same change, whatever the evidence.</summary>
    public static string ChangeOf(PlannedPullRequest pr) =>
        Markers.Hash(string.Join('\n', [pr.Branch, "+", .. pr.Added, "-", .. pr.Removed]));

    public static string DependencyOfBranch(string branch) => branch[(branch.LastIndexOf('/') + 1)..];

    public static IssueMarker MarkerOf(PlannedIssue issue)
    {
        var finding = issue.Finding;
        var severity = finding.Severity.ToString().ToLowerInvariant();
        // Times move on every run; what was seen is what matters.
        var evidence = finding.Evidence.Select(e => Timestamps().Replace($"{e.Source}\t{e.Detail}", "")).Distinct().Order(StringComparer.Ordinal);
        return new IssueMarker(
            finding.Fingerprint,
            finding.Dependency,
            Markers.Hash(Timestamps().Replace(issue.Title + "\n" + issue.Body, "")),
            Markers.Hash(string.Join('\n', [severity, .. evidence])),
            severity,
            Resolved: false);
    }

    private static string? MaterialChange(IssueMarker before, IssueMarker after, PlannedIssue issue)
    {
        if (before.Severity != after.Severity)
            return $"Severity is now **{after.Severity}** (was {before.Severity}).";
        if (before.Material != after.Material)
            return "The evidence changed:\n\n" + string.Join('\n', issue.Finding.Evidence.Select(e => $"- {e.Source}: {e.Detail}"));
        return null;
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?Z?")]
    private static partial Regex Timestamps();
}
