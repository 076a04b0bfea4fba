using Reconciler.Files;
using Reconciler.Diagnostics;
using Reconciler.Policies.Model;
using Reconciler.Planning;

namespace Reconciler.Publishing;

/// <summary>What a publish did: links to what is open, and what was written.</summary>
public sealed record PublishResult(IReadOnlyList<string> Done, IReadOnlyList<string> Skipped, (int Reads, int Writes) Calls);

/// <summary>
/// Carries out <see cref="PublishDecisions"/> on a forge, and decides nothing itself. Each pull request is one commit
/// on top of the default branch; its branch is created or moved only once that commit exists, so a run that stops
/// anywhere leaves nothing half made, and the next run finishes the job (see <see cref="IForge.ReadStateAsync"/>).
/// </summary>
/// <param name="login">The bot's own account (whose token this is): only what it made is its own.</param>
public sealed class Publisher(IForge forge, IRunLog log, string login)
{
    public async Task<PublishResult> PublishAsync(ChangePlan plan, PolicySet policies, PublishLimits limits, IReadOnlySet<string> unsure, CancellationToken cancellationToken)
    {
        var planned = plan.PullRequests.ToDictionary(p => p.Branch, p => new Lazy<PlannedCommit>(() => PlannedCommitOf(p, policies)), StringComparer.Ordinal);
        var state = await forge.ReadStateAsync(login, planned, StateBranch.DefaultName, cancellationToken).ConfigureAwait(false);
        foreach (var item in state.IgnoredItems)
            log.Warning(item);
        var owners = policies.Dependencies.Select(d => (d.Name, Handle: OwnerHandle.Of(d.Owner))).Where(d => d.Handle is not null).ToDictionary(d => d.Name, d => d.Handle!, StringComparer.Ordinal);
        var decision = PublishDecisions.Decide(plan, state, limits, unsure, owners);
        var links = state.DefaultBranchSha is { } sha
            ? new PolicyLinks((path, line) => forge.FileLink(sha, path, line), policies.Sources.Keys.Select(policies.RepositoryPathOf))
            : null;
        string Published(string body) => links?.Apply(body) ?? body;
        var done = new List<string>();
        var skipped = new List<string>();

        var prLinks = state.OpenPullRequests.Values.ToDictionary(p => p.Branch, p => new DashboardEntry($"#{p.PullRequest.Number}", p.PullRequest.Title), StringComparer.Ordinal);
        var issueLinks = state.Issues.Where(i => i.IsOpen).GroupBy(i => i.Marker.Fingerprint).ToDictionary(g => g.Key, g => new DashboardEntry($"#{g.Min(i => i.Issue.Number)}", g.First().Issue.Title), StringComparer.Ordinal);
        // Whom each open item is routed to, as its marker says: the dashboard lists what the forge refused.
        var routing = state.OpenPullRequests.Values.ToDictionary(p => p.PullRequest.Number, p => (p.PullRequest.Title, p.Marker.Routed));
        foreach (var issue in state.Issues.Where(i => i.IsOpen))
            routing[issue.Issue.Number] = (issue.Issue.Title, issue.Marker.Routed);
        BranchFiles? baseCommit = null;

        foreach (var action in decision.Actions)
        {
            switch (action)
            {
                case OpenPullRequest open:
                {
                    var head = open.CommitReady ? open.BranchSha! : await CommitAsync(open.Planned, open.Change, policies, baseCommit ??= await forge.ReadBranchAsync(state.DefaultBranch, cancellationToken).ConfigureAwait(false), skipped, cancellationToken).ConfigureAwait(false);
                    if (head is null)
                        break;
                    if (!open.CommitReady)
                    {
                        if (open.BranchSha is null)
                            await forge.CreateBranchAsync(open.Planned.Branch, head, cancellationToken).ConfigureAwait(false);
                        else
                            await forge.MoveBranchAsync(open.Planned.Branch, head, cancellationToken).ConfigureAwait(false);
                    }
                    var marker = new PullRequestMarker(open.Planned.Branch, open.Change, head, false);
                    var body = Published(Markers.WithMarker(open.Planned.Body, marker.ToString()));
                    var created = await forge.OpenPullRequestAsync(open.Planned.Branch, state.DefaultBranch, open.Planned.Title, body, cancellationToken).ConfigureAwait(false);
                    await forge.AddPullRequestLabelsAsync(created.Number, PublishDecisions.LabelsOf(open.Planned), cancellationToken).ConfigureAwait(false);
                    var routed = await AskToReviewAsync(created, open.Owner, Routing.None, done, cancellationToken).ConfigureAwait(false);
                    if (routed != Routing.None)
                        await forge.UpdatePullRequestAsync(created.Number, null, Markers.WithMarker(body, (marker with { Routing = routed }).ToString()), cancellationToken).ConfigureAwait(false);
                    routing[created.Number] = (created.Title, routed);
                    prLinks[open.Planned.Branch] = new DashboardEntry($"#{created.Number}", created.Title);
                    done.Add($"opened pull request #{created.Number}: {created.Title}");
                    break;
                }
                case UpdatePullRequest update:
                {
                    var head = update.CommitReady ? update.Existing.HeadSha : await CommitAsync(update.Planned, update.Change, policies, baseCommit ??= await forge.ReadBranchAsync(state.DefaultBranch, cancellationToken).ConfigureAwait(false), skipped, cancellationToken).ConfigureAwait(false);
                    if (head is null)
                        break;
                    if (!update.CommitReady)
                        await forge.MoveBranchAsync(update.Planned.Branch, head, cancellationToken).ConfigureAwait(false);
                    var routed = await AskToReviewAsync(update.Existing, update.Owner, update.Routed, done, cancellationToken).ConfigureAwait(false);
                    var body = Published(Markers.WithMarker(update.Planned.Body, new PullRequestMarker(update.Planned.Branch, update.Change, head, false, routed == Routing.None ? null : routed).ToString()));
                    var number = update.Existing.Number;
                    var what = new List<string>();
                    // Beside what the decision found, the marker this run records: a new head or a review asked just now.
                    if (update.RewriteText || Markers.PullRequest(update.Existing.Body) != Markers.PullRequest(body))
                    {
                        await forge.UpdatePullRequestAsync(number, update.Planned.Title, body, cancellationToken).ConfigureAwait(false);
                        what.Add(update.CommitReady ? "body" : "branch and body");
                    }
                    var missing = update.MissingLabels;
                    if (missing.Count > 0)
                    {
                        await forge.AddPullRequestLabelsAsync(number, missing, cancellationToken).ConfigureAwait(false);
                        what.Add("labels " + string.Join(", ", missing));
                    }
                    routing[number] = (update.Planned.Title, routed);
                    prLinks[update.Planned.Branch] = new DashboardEntry($"#{number}", update.Planned.Title);
                    if (what.Count > 0)
                        done.Add($"updated pull request #{number} ({string.Join("; ", what)}): {update.Planned.Title}");
                    break;
                }
                case ClosePullRequest close:
                {
                    var number = close.Existing.PullRequest.Number;
                    await forge.CommentOnPullRequestAsync(number, "The drift this pull request would fix is gone: the allowlist already matches what Reconciler observes. Closing it, and deleting its branch.", cancellationToken).ConfigureAwait(false);
                    await forge.ClosePullRequestAsync(number, cancellationToken).ConfigureAwait(false);
                    await forge.DeleteBranchAsync(close.Existing.Branch, cancellationToken).ConfigureAwait(false);
                    prLinks.Remove(close.Existing.Branch);
                    routing.Remove(number);
                    done.Add($"closed pull request #{number}: the drift is gone");
                    break;
                }
                case BackOffPullRequest backOff:
                {
                    var pr = backOff.Existing.PullRequest;
                    await forge.CommentOnPullRequestAsync(pr.Number, $"Someone else pushed to {Markdown.Code(pr.Branch)}, so Reconciler will no longer update or close this pull request. Delete the branch (or close the pull request) to hand it back.", cancellationToken).ConfigureAwait(false);
                    var body = Markers.WithMarker(pr.Body ?? "", (backOff.Existing.Marker with { BackedOff = true }).ToString());
                    await forge.UpdatePullRequestAsync(pr.Number, null, body, cancellationToken).ConfigureAwait(false);
                    done.Add($"backed off pull request #{pr.Number}: someone else pushed to it");
                    break;
                }
                case DeleteBranch delete:
                    await forge.DeleteBranchAsync(delete.Branch.Branch, cancellationToken).ConfigureAwait(false);
                    done.Add($"deleted branch {delete.Branch.Branch}: its drift is gone");
                    break;
                case OpenIssue open:
                {
                    var body = Published(Markers.WithMarker(open.Planned.Body, open.Marker.ToString()));
                    var created = await forge.OpenIssueAsync(open.Planned.Title, body, open.Planned.Labels, cancellationToken).ConfigureAwait(false);
                    var routed = await AssignAsync(created, open.Assignee, Routing.None, done, cancellationToken).ConfigureAwait(false);
                    if (routed != Routing.None)
                        await forge.UpdateIssueAsync(created.Number, new IssueEdit(Body: Markers.WithMarker(body, (open.Marker with { Routing = routed }).ToString())), cancellationToken).ConfigureAwait(false);
                    routing[created.Number] = (created.Title, routed);
                    issueLinks[open.Marker.Fingerprint] = new DashboardEntry($"#{created.Number}", created.Title);
                    done.Add($"opened issue #{created.Number}: {created.Title}");
                    break;
                }
                case UpdateIssue update:
                {
                    var routed = await AssignAsync(update.Existing, update.Assignee, update.Marker.Routed, done, cancellationToken).ConfigureAwait(false);
                    var marker = update.Marker with { Routing = routed == Routing.None ? null : routed };
                    var body = Published(Markers.WithMarker(update.Planned.Body, marker.ToString()));
                    var labels = PublishDecisions.LabelsAfter(update.Existing, update.Planned);
                    var number = update.Existing.Number;
                    // Beside what the decision found, the marker this run records (an assignment made just now).
                    if (update.Rewrite || Markers.Issue(update.Existing.Body) != marker)
                        await forge.UpdateIssueAsync(number, new IssueEdit(update.Planned.Title, body, update.Reopen, labels), cancellationToken).ConfigureAwait(false);
                    if (update.Comment is not null)
                        await forge.CommentOnIssueAsync(number, update.Comment, cancellationToken).ConfigureAwait(false);
                    routing[number] = (update.Planned.Title, routed);
                    issueLinks[update.Marker.Fingerprint] = new DashboardEntry($"#{number}", update.Planned.Title);
                    done.Add($"{(update.Reopen ? "reopened" : "updated")} issue #{number}: {update.Planned.Title}");
                    break;
                }
                case CloseIssue close:
                {
                    var issue = close.Existing.Issue;
                    await forge.CommentOnIssueAsync(issue.Number, close.Comment, cancellationToken).ConfigureAwait(false);
                    var body = Markers.WithMarker(issue.Body ?? "", (close.Existing.Marker with { Resolved = close.StateReason == "completed" }).ToString());
                    await forge.CloseIssueAsync(issue.Number, body, close.StateReason, cancellationToken).ConfigureAwait(false);
                    if (issueLinks.TryGetValue(close.Existing.Marker.Fingerprint, out var link) && link.Link == $"#{issue.Number}")
                        issueLinks.Remove(close.Existing.Marker.Fingerprint);
                    routing.Remove(issue.Number);
                    done.Add($"closed issue #{issue.Number}: {close.Comment}");
                    break;
                }
                default:
                    throw new InvalidOperationException($"no way to carry out {action.GetType().Name}");
            }
        }

        var unrouted = routing.OrderBy(r => r.Key).SelectMany(r => r.Value.Routed.RefusedHandles.Select(h => $"{Markdown.Code(h.ToString())} for #{r.Key} ({Markdown.Text(r.Value.Title)}): {forge.Name} would not route it there")).ToList();
        await DashboardAsync(state, decision, plan, prLinks, issueLinks, unrouted, done, cancellationToken).ConfigureAwait(false);
        foreach (var line in done)
            log.Information(line);
        foreach (var line in skipped)
            log.Warning(line);
        return new PublishResult(done, skipped, forge.Calls);
    }

    /// <summary>
    /// Asks the owner to review, once: one the forge refuses (on GitHub, a 422: not a collaborator, no such team) is
    /// remembered as refused, so it is reported on the dashboard and not tried on every run. Any other failure ends the
    /// run; the next one asks.
    /// </summary>
    private async Task<Routing> AskToReviewAsync(ForgePullRequest pr, OwnerHandle? owner, Routing routed, List<string> done, CancellationToken cancellationToken)
    {
        if (owner is null || routed.Tried(owner.ToString()))
            return routed;
        if (!PublishDecisions.ToAsk(owner, routed, pr))
            return routed.WithAsked(owner.ToString()); // already requested (by a person, or by a run that stopped before saying so)
        var answer = await forge.RequestReviewAsync(pr.Number, owner, cancellationToken).ConfigureAwait(false);
        if (answer.Refusal is { } why)
        {
            log.Warning(why);
            return routed.WithRefused(owner.ToString());
        }
        done.Add($"asked {owner} to review #{pr.Number}");
        return routed.WithAsked(owner.ToString());
    }

    /// <summary>Assigns a login owner, once; one the forge refuses (or leaves out) is remembered as refused.</summary>
    private async Task<Routing> AssignAsync(ForgeIssue issue, OwnerHandle? assignee, Routing routed, List<string> done, CancellationToken cancellationToken)
    {
        if (assignee is null || routed.Tried(assignee.ToString()))
            return routed;
        if (!PublishDecisions.ToAssign(assignee, routed, issue))
            return routed.WithAsked(assignee.ToString());
        var answer = await forge.AssignAsync(issue.Number, assignee, cancellationToken).ConfigureAwait(false);
        if (answer.Refusal is { } why)
        {
            log.Warning(why);
            return routed.WithRefused(assignee.ToString());
        }
        done.Add($"assigned #{issue.Number} to {assignee}");
        return routed.WithAsked(assignee.ToString());
    }

    /// <summary>The files the bot's commit of this change holds (an edit that does not apply holds none).</summary>
    private static PlannedCommit PlannedCommitOf(PlannedPullRequest pr, PolicySet policies)
    {
        var files = pr.Failure is null ? pr.EditedFiles(policies.Sources) : new Dictionary<string, string>();
        return new PlannedCommit(PublishDecisions.ChangeOf(pr), files.ToDictionary(f => policies.RepositoryPathOf(f.Key), f => GitBlobs.Sha(f.Value), StringComparer.Ordinal));
    }

    /// <summary>
    /// The commit of a pull request on top of the base; null (and why, in <paramref name="skipped"/>) when a policy file on the
    /// base is not the one this run read: committing the edited copy would undo someone's change. The next run, on a fresh checkout, proposes it.
    /// </summary>
    private async Task<string?> CommitAsync(PlannedPullRequest pr, string change, PolicySet policies, BranchFiles onto, List<string> skipped, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (local, edited) in pr.EditedFiles(policies.Sources))
        {
            var path = policies.RepositoryPathOf(local);
            if (!onto.Blobs.TryGetValue(path, out var sha) || sha != GitBlobs.Sha(policies.Sources[local]))
            {
                skipped.Add($"no pull request for {pr.Branch} this run: {path} on the default branch is not the copy this run read (check out the default branch's head)");
                return null;
            }
            files[path] = edited;
        }
        var message = $"{pr.Title}\n\nProposed by Reconciler from what DNS and the provider feeds say; see the pull request for the evidence.\n\n{Markers.ChangeTrailer} {change}\n";
        return (await forge.CommitAsync(onto.Head, files, message, cancellationToken).ConfigureAwait(false)).Sha;
    }

    private async Task DashboardAsync(ForgeState state, PublishDecision decision, ChangePlan plan, Dictionary<string, DashboardEntry> prs, Dictionary<string, DashboardEntry> issues, List<string> unrouted, List<string> done, CancellationToken cancellationToken)
    {
        var rendered = Dashboard.Render(
            [.. prs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)],
            [.. issues.OrderBy(i => i.Value.Title, StringComparer.Ordinal).Select(i => i.Value)],
            decision,
            [.. plan.PullRequests.Where(p => p.Failure is not null)],
            unrouted,
            forge.Name);
        var nothing = prs.Count + issues.Count + decision.WaitingIssues.Count + decision.WaitingPullRequests.Count + decision.LeftToPeople.Count + decision.DeclinedChanges.Count + unrouted.Count == 0
            && plan.PullRequests.All(p => p.Failure is null);
        if (state.Dashboard is null)
        {
            if (nothing)
                return; // no drift and no dashboard yet: a quiet world makes no writes
            var created = await forge.OpenIssueAsync(Dashboard.Title, Dashboard.Compose(null, rendered), [ForgeState.Label], cancellationToken).ConfigureAwait(false);
            done.Add($"opened the dashboard, issue #{created.Number}");
            return;
        }
        // What a person wrote around the bot's part stays; the bot's part (ticked boxes included) is what this run says.
        var body = Dashboard.Compose(state.Dashboard.Body, rendered);
        if (state.Dashboard.Body?.ReplaceLineEndings("\n") == body && state.Dashboard.IsOpen)
            return;
        await forge.UpdateIssueAsync(state.Dashboard.Number, new IssueEdit(Body: body, Open: true), cancellationToken).ConfigureAwait(false);
        done.Add($"updated the dashboard, issue #{state.Dashboard.Number}");
    }
}
