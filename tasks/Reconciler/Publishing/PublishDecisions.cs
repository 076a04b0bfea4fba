using Reconciler.Files;
using System.Text.RegularExpressions;
using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Planning;

namespace Reconciler.Publishing;

/// <summary>
/// Decides what a run changes on the forge from the plan and what is there now. Pure. Every bot item is compared with the
/// plan on every run (title, body, labels, whom it is routed to, state), so a run that stopped half way through an item
/// is finished by the next; and the same plan against the state it produced decides nothing: that is what keeps a
/// scheduled bot quiet.
/// </summary>
public static partial class PublishDecisions
{
    /// <param name="unsure">Dependencies whose drift this run could not see (a lookup failed): their PRs and issues are left as they are.</param>
    /// <param name="owners">The handle (<c>@login</c>, <c>@org/team</c>) of each dependency that has one (README "Publishing (Reconcile)").</param>
    public static PublishDecision Decide(ChangePlan plan, ForgeState state, PublishLimits limits, IReadOnlySet<string> unsure, IReadOnlyDictionary<string, OwnerHandle>? owners = null)
    {
        owners ??= new Dictionary<string, OwnerHandle>();
        var actions = new List<PublishAction>();
        var waitingPrs = new List<PlannedPullRequest>();
        var waitingIssues = new List<PlannedIssue>();
        var people = new List<string>();
        var declined = new List<DeclinedChange>();
        var retries = Dashboard.TickedRetries(state.Dashboard?.Body);

        var planned = plan.PullRequests.Where(p => p.Failure is null).ToList();
        var newPrs = 0;
        foreach (var pr in planned.OrderByDescending(p => p.Findings.Max(f => f.Severity)).ThenBy(p => p.Branch, StringComparer.Ordinal))
        {
            var change = ChangeOf(pr);
            var owner = pr.OwnedByDependency is { } dependency ? owners.GetValueOrDefault(dependency) : null;
            if (state.OpenPullRequests.TryGetValue(pr.Branch, out var open))
            {
                var routed = open.Marker.Routed;
                if (open.Marker.BackedOff)
                    people.Add($"#{open.PullRequest.Number} ({Markdown.Code(pr.Branch)}): someone else pushed to it, so Reconciler leaves it to them");
                else if (open.SomeoneElsePushed)
                    actions.Add(new BackOffPullRequest(open));
                else if (open.HeadChange != change)
                    actions.Add(new UpdatePullRequest(pr, change, open.PullRequest, CommitReady: false, routed, TextDiffers(open.PullRequest, pr), MissingLabels(open.PullRequest, pr), owner));
                else if (open.Marker.Change != change || open.Marker.Head != open.PullRequest.HeadSha || Differs(open.PullRequest, pr, owner, routed))
                    actions.Add(new UpdatePullRequest(pr, change, open.PullRequest, CommitReady: true, routed, TextDiffers(open.PullRequest, pr), MissingLabels(open.PullRequest, pr), owner)); // e.g. a run stopped between moving the branch and the body
                continue;
            }
            if (state.OrphanBranches.TryGetValue(pr.Branch, out var orphan))
            {
                if (orphan.DeclinedChange == change && !retries.Contains((pr.Branch, change)))
                {
                    declined.Add(new DeclinedChange(pr, change, orphan.DeclinedNumber, Ticked: false));
                    continue;
                }
                if (orphan.HeadChange is null)
                {
                    people.Add($"{Markdown.Code(pr.Branch)}: the branch has commits Reconciler did not make and no pull request; delete it to hand it back");
                    continue;
                }
            }
            if (newPrs == limits.NewPullRequests)
            {
                waitingPrs.Add(pr);
                if (orphan?.DeclinedChange == change)
                    declined.Add(new DeclinedChange(pr, change, orphan.DeclinedNumber, Ticked: true)); // asked for again: the tick stays until it is
                continue;
            }
            newPrs++;
            actions.Add(orphan is null
                ? new OpenPullRequest(pr, change, null, CommitReady: false, owner)
                : new OpenPullRequest(pr, change, orphan.Sha, CommitReady: orphan.HeadChange == change, owner));
        }

        var plannedBranches = plan.PullRequests.Select(p => p.Branch).ToHashSet(StringComparer.Ordinal);
        foreach (var open in state.OpenPullRequests.Values.Where(o => !plannedBranches.Contains(o.Branch)).OrderBy(o => o.Branch, StringComparer.Ordinal))
        {
            if (open.Marker.BackedOff || open.SomeoneElsePushed)
                people.Add($"#{open.PullRequest.Number} ({Markdown.Code(open.Branch)}): the drift is gone, but someone else pushed to it; close it if it is no longer needed");
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
            var assignee = issue.OwnedByDependency is { } owning && owners.GetValueOrDefault(owning) is { IsTeam: false } login ? login : null;
            var existing = byFingerprint[marker.Fingerprint].OrderBy(i => i.Issue.Number).ToList();
            var open = existing.Where(i => i.IsOpen).ToList();
            if (open.Count > 0)
            {
                var keep = open[0];
                var kept = marker with { Routing = keep.Marker.Routing };
                foreach (var duplicate in open.Skip(1))
                    actions.Add(new CloseIssue(duplicate, $"Duplicate of #{keep.Issue.Number}: Reconciler keeps one issue per finding.", "not_planned"));
                if (keep.Marker.Revision != marker.Revision || keep.Marker.Material != marker.Material)
                    actions.Add(new UpdateIssue(issue, kept, keep.Issue, Reopen: false, MaterialChange(keep.Marker, marker, issue), Rewrite(keep.Issue, issue), assignee));
                else if (Differs(keep.Issue, issue, assignee, keep.Marker.Routed))
                    actions.Add(new UpdateIssue(issue, kept, keep.Issue, Reopen: false, Comment: null, Rewrite(keep.Issue, issue), assignee));
                continue;
            }
            if (existing.Count > 0)
            {
                var last = existing[^1];
                if (last.Marker.Resolved)
                    actions.Add(new UpdateIssue(issue, marker with { Routing = last.Marker.Routing }, last.Issue, Reopen: true, "This drift is back: Reconciler finds it again, so the issue is reopened.", Rewrite: true, assignee));
                else
                    people.Add($"#{last.Issue.Number} ({Markdown.Text(issue.Title)}): closed by a person while Reconciler still finds it");
                continue;
            }
            if (newIssues == limits.NewIssues)
            {
                waitingIssues.Add(issue);
                continue;
            }
            newIssues++;
            actions.Add(new OpenIssue(issue, marker, assignee));
        }
        var plannedFingerprints = plan.Issues.Select(i => i.Finding.Fingerprint).ToHashSet(StringComparer.Ordinal);
        foreach (var open in state.Issues.Where(i => i.IsOpen && !plannedFingerprints.Contains(i.Marker.Fingerprint) && !unsure.Contains(i.Marker.Dependency)).OrderBy(i => i.Issue.Number))
            actions.Add(new CloseIssue(open, "Resolved: Reconciler no longer finds this drift.", "completed"));

        return new PublishDecision(actions, waitingPrs, waitingIssues, people, declined);
    }

    /// <summary>The labels the bot gives a pull request (people may add others; those stay).</summary>
    public static IReadOnlyList<string> LabelsOf(PlannedPullRequest pr) =>
        [.. pr.Labels, "severity:" + pr.Findings.Max(f => f.Severity).ToWire()];

    /// <summary>An issue's labels after a run: people's stay; the bot's are there, and its severity label follows the finding's.</summary>
    public static IReadOnlyList<string> LabelsAfter(ForgeIssue existing, PlannedIssue planned) =>
    [
        .. existing.Labels.Where(l => !l.StartsWith("severity:", StringComparison.Ordinal)).Union(planned.Labels, StringComparer.Ordinal),
    ];

    /// <summary>Whether the owner still has to be asked: not asked before (a person may since have removed them, or they reviewed), not refused, not already there.</summary>
    public static bool ToAsk(OwnerHandle? owner, Routing routed, ForgePullRequest existing) =>
        owner is not null && !routed.Tried(owner.ToString())
        && !(owner.IsTeam
            ? existing.RequestedTeams.Any(t => t.Equals(owner.Team, StringComparison.OrdinalIgnoreCase))
            : existing.RequestedReviewers.Any(u => u.Equals(owner.Login, StringComparison.OrdinalIgnoreCase)));

    public static bool ToAssign(OwnerHandle? assignee, Routing routed, ForgeIssue existing) =>
        assignee is not null && !routed.Tried(assignee.ToString())
        && !existing.Assignees.Any(u => u.Equals(assignee.Login, StringComparison.OrdinalIgnoreCase));

    private static bool Differs(ForgePullRequest existing, PlannedPullRequest planned, OwnerHandle? owner, Routing routed) =>
        TextDiffers(existing, planned) || MissingLabels(existing, planned).Count > 0 || ToAsk(owner, routed, existing);

    private static bool TextDiffers(ForgePullRequest existing, PlannedPullRequest planned) =>
        existing.Title != planned.Title || Comparable(existing.Body) != Comparable(planned.Body);

    private static List<string> MissingLabels(ForgePullRequest existing, PlannedPullRequest planned) =>
        [.. LabelsOf(planned).Except(existing.Labels, StringComparer.Ordinal)];

    private static bool Differs(ForgeIssue existing, PlannedIssue planned, OwnerHandle? assignee, Routing routed) =>
        Rewrite(existing, planned) || ToAssign(assignee, routed, existing);

    /// <summary>Whether an issue's title, body or labels say something else than the plan (its state marker aside).</summary>
    private static bool Rewrite(ForgeIssue existing, PlannedIssue planned) =>
        existing.Title != planned.Title
        || Comparable(existing.Body) != Comparable(planned.Body)
        || !LabelsAfter(existing, planned).ToHashSet(StringComparer.Ordinal).SetEquals(existing.Labels);

    /// <summary>
    /// A body as far as it matters: without the bot's state marker, its links (they name the commit of the run that wrote
    /// them), its times, and line-ending differences. Two bodies equal here are no reason to write.
    /// </summary>
    public static string Comparable(string? body) =>
        Timestamps().Replace(PolicyLinks.Unlinked(Markers.WithMarker(body ?? "", "").ReplaceLineEndings("\n")), "").Trim();

    /// <summary>The change a pull request proposes: the same additions and removals give the same change, whatever the evidence.</summary>
    public static string ChangeOf(PlannedPullRequest pr) =>
        Markers.Hash(string.Join('\n', [pr.Branch, "+", .. pr.Added, "-", .. pr.Removed]));

    public static string DependencyOfBranch(string branch) => branch[(branch.LastIndexOf('/') + 1)..];

    public static IssueMarker MarkerOf(PlannedIssue issue)
    {
        var finding = issue.Finding;
        var severity = finding.Severity.ToWire();
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
