using Reconciler.Findings;
using Reconciler.GitHub;
using Reconciler.Policies.Model;
using Reconciler.Publishing;
using Reconciler.Planning;
using PullRequest = Reconciler.GitHub.PullRequest;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// <see cref="PublishDecisions.Decide"/> as tables, the way dnscontrol tests its diff: each row is a plan and what is on
/// GitHub now, and the decision as the lines a person would read ("open pr …", "close issue #5 as completed …").
/// No server: the decision is pure, and the full runs against the fake GitHub are in the other Publishing tests.
/// </summary>
public sealed class PublishDecisionsTests
{
    // What the plans propose. "www" is high; "pay" is critical, so it comes first and wins a place under a limit.
    private static readonly PlannedPullRequest Www = Pr("www", ["192.0.2.10"]);
    private static readonly PlannedPullRequest WwwGrown = Pr("www", ["192.0.2.10", "192.0.2.11"]);
    private static readonly PlannedPullRequest WwwFailing = Www with { Failure = "the edit would not validate: p.yaml:9:5: duplicate destination" };
    private static readonly PlannedPullRequest Pay = Pr("pay", ["198.51.100.20"], Severity.Critical);
    private static readonly PlannedPullRequest Old = Pr("old", ["203.0.113.1"]);

    private static readonly PlannedIssue Partner = IssueOf(Finding(FindingKind.StaticIpChanged, Severity.High, "partner", "198.51.100.7", "dns\t198.51.100.7 from 127.0.0.1:53"));
    private static readonly PlannedIssue PartnerCritical = IssueOf(Finding(FindingKind.StaticIpChanged, Severity.Critical, "partner", "198.51.100.7", "dns\t198.51.100.7 from 127.0.0.1:53"));
    private static readonly PlannedIssue PartnerMoved = IssueOf(Finding(FindingKind.StaticIpChanged, Severity.High, "partner", "198.51.100.7", "dns\t198.51.100.9 from 127.0.0.1:53"));
    private static readonly PlannedIssue Gone = IssueOf(Finding(FindingKind.ResolutionFailed, Severity.Medium, "gone", "nx.example.test", "dns\tNXDOMAIN from 127.0.0.1:53"));

    private static readonly OwnerHandle Alice = new("alice", null);
    private static readonly OwnerHandle Netops = new("acme", "netops");

    public sealed record Row(string Situation, PlannedPullRequest[] PullRequests, PlannedIssue[] Issues, ForgeState State, string[] Decided)
    {
        public PublishLimits Limits { get; init; } = new(5, 10);
        public string[] Unsure { get; init; } = [];
        public Dictionary<string, OwnerHandle> Owners { get; init; } = [];

        public override string ToString() => Situation;
    }

    public static TheoryData<Row> PullRequestRows() =>
    [
        new Row("a new pull request is opened", [Www], [], State(), ["open pr reconciler/egress/www"]),
        new Row("an open pull request that says what the plan says is left alone", [Www], [], State(prs: [Open(1, Www)]), []),
        new Row("a pull request whose items changed is rebuilt on the current base", [WwwGrown], [], State(prs: [Open(1, Www)]), ["update pr #1: rebuild the branch"]),
        new Row("a pull request whose title a person changed is repaired, its branch kept", [Www], [], State(prs: [Open(1, Www) with { PullRequest = GitHubPr(1, Www) with { Title = "mine now" } }]), ["update pr #1: repair title, body, labels"]),
        new Row("a pull request that lost a bot label gets it back", [Www], [], State(prs: [Open(1, Www) with { PullRequest = GitHubPr(1, Www) with { Labels = ["reconciler"] } }]), ["update pr #1: repair title, body, labels"]),
        new Row("a label a person added is theirs: no write", [Www], [], State(prs: [Open(1, Www) with { PullRequest = GitHubPr(1, Www) with { Labels = [.. GitHubPr(1, Www).Labels, "netops"] } }]), []),
        new Row("a run that stopped after moving the branch is finished: the marker is brought up to the head", [Www], [], State(prs: [Open(1, Www) with { Marker = Open(1, Www).Marker with { Change = "0ld0ld0ld0ld" } }]), ["update pr #1: repair title, body, labels"]),
        new Row("a pull request whose drift resolved is closed", [], [], State(prs: [Open(1, Www)]), ["close pr #1"]),
        new Row("but not while its dependency's lookups fail: the drift may only be unseen", [], [], State(prs: [Open(1, Www)]), []) { Unsure = ["www"] },
        new Row("a pull request whose new edit would not validate is neither updated nor closed", [WwwFailing], [], State(prs: [Open(1, Www)]), []),
        new Row("someone else pushed to the branch: the bot backs off", [WwwGrown], [], State(prs: [Open(1, Www, headChange: null)]), ["back off pr #1"]),
        new Row("a pull request the bot backed off from is left to people", [WwwGrown], [], State(prs: [Open(1, Www, headChange: null, backedOff: true)]),
            ["people: #1 (`reconciler/egress/www`): someone else pushed to it, so Reconciler leaves it to them"]),
        new Row("resolved drift under someone else's commits is theirs to close", [], [], State(prs: [Open(1, Www, headChange: null)]),
            ["people: #1 (`reconciler/egress/www`): the drift is gone, but someone else pushed to it; close it if it is no longer needed"]),
        new Row("over the limit of new pull requests the more severe opens and the rest waits", [Www, Pay], [], State(), ["open pr reconciler/egress/pay", "wait pr reconciler/egress/www"]) { Limits = new(1, 10) },
        new Row("the limit counts new pull requests only, not those already open", [Www, Pay], [], State(prs: [Open(1, Pay)]), ["open pr reconciler/egress/www"]) { Limits = new(1, 10) },
        new Row("a branch a stopped run left with this change is used as it is", [Www], [], State(orphans: [Orphan(Www, Www)]), ["open pr reconciler/egress/www from b-www (commit ready)"]),
        new Row("a branch left with an older change is moved", [WwwGrown], [], State(orphans: [Orphan(Www, Www)]), ["open pr reconciler/egress/www from b-www"]),
        new Row("a bot branch with someone else's commits and no pull request is left to people", [Www], [], State(orphans: [Orphan(Www, head: null)]),
            ["people: `reconciler/egress/www`: the branch has commits Reconciler did not make and no pull request; delete it to hand it back"]),
        new Row("a bot branch nothing plans any more is deleted", [], [], State(orphans: [Orphan(Old, Old)]), ["delete branch reconciler/egress/old"]),
        new Row("a branch with someone else's commits is never deleted", [], [], State(orphans: [Orphan(Old, head: null)]), []),
        new Row("owner routing: a new pull request asks its owner to review", [Www], [], State(), ["open pr reconciler/egress/www, review @alice"]) { Owners = new() { ["www"] = Alice } },
        new Row("owner routing: an open pull request whose owner was never asked is repaired to ask", [Www], [], State(prs: [Open(1, Www)]), ["update pr #1: repair title, body, labels, review @alice"]) { Owners = new() { ["www"] = Alice } },
        new Row("owner routing: an owner asked before is not asked again, though a person removed the request", [Www], [], State(prs: [Open(1, Www, routed: Routing.None.WithAsked("@alice"))]), []) { Owners = new() { ["www"] = Alice } },
        new Row("owner routing: an owner GitHub refused is not asked again", [Www], [], State(prs: [Open(1, Www, routed: Routing.None.WithRefused("@acme/netops"))]), []) { Owners = new() { ["www"] = Netops } },
        new Row("owner routing: a team already requested is not asked again", [Www], [], State(prs: [Open(1, Www) with { PullRequest = GitHubPr(1, Www) with { RequestedTeams = ["NetOps"] } }]), []) { Owners = new() { ["www"] = Netops } },
        new Row("the dashboard: a change a person closed without merging is listed, not proposed", [Www], [], State(orphans: [Orphan(Www, Www, declined: 4)]), ["declined reconciler/egress/www (#4)"]),
        new Row("the dashboard: its ticked box proposes that change again", [Www], [], State(orphans: [Orphan(Www, Www, declined: 4)], dashboard: Ticked(Www)), ["open pr reconciler/egress/www from b-www (commit ready)"]),
        new Row("the dashboard: a tick over the limit waits, and stays ticked until it is proposed", [Www, Pay], [], State(orphans: [Orphan(Www, Www, declined: 4)], dashboard: Ticked(Www)),
            ["open pr reconciler/egress/pay", "wait pr reconciler/egress/www", "declined reconciler/egress/www (#4), ticked"]) { Limits = new(1, 10) },
        new Row("the dashboard: a tick for another change is not this one's", [Www], [], State(orphans: [Orphan(Www, Www, declined: 4)], dashboard: Ticked(WwwGrown)), ["declined reconciler/egress/www (#4)"]),
        new Row("the dashboard: a new change after a declined one is proposed", [WwwGrown], [], State(orphans: [Orphan(Www, Www, declined: 4)]), ["open pr reconciler/egress/www from b-www"]),
    ];

    public static TheoryData<Row> IssueRows() =>
    [
        new Row("a new issue is opened", [], [Partner], State(), ["open issue \"partner: static-ip-changed 198.51.100.7\""]),
        new Row("an issue that says what the plan says is left alone", [], [Partner], State(issues: [Filed(5, Partner)]), []),
        new Row("new evidence updates the issue and says what changed", [], [PartnerMoved], State(issues: [Filed(5, Partner)]), ["update issue #5, comment \"The evidence changed:\""]),
        new Row("a new severity updates the issue and says so", [], [PartnerCritical], State(issues: [Filed(5, Partner)]), ["update issue #5, comment \"Severity is now **critical** (was high).\""]),
        new Row("a body a person edited is put back without a comment", [], [Partner], State(issues: [Filed(5, Partner) with { Issue = GitHubIssue(5, Partner) with { Body = "I rewrote this" } }]), ["update issue #5"]),
        new Row("an issue the bot closed whose drift is back is reopened", [], [Partner], State(issues: [Filed(5, Partner, open: false, resolved: true)]), ["reopen issue #5, comment \"This drift is back: Reconciler finds it again, so the issue is reopened.\""]),
        new Row("an issue a person closed is respected, and listed for people", [], [Partner], State(issues: [Filed(5, Partner, open: false)]),
            ["people: #5 (partner: static-ip-changed 198.51.100.7): closed by a person while Reconciler still finds it"]),
        new Row("the newest closed issue decides: the bot's close after a person's is reopened", [], [Partner], State(issues: [Filed(5, Partner, open: false), Filed(9, Partner, open: false, resolved: true)]), ["reopen issue #9, comment \"This drift is back: Reconciler finds it again, so the issue is reopened.\""]),
        new Row("an issue whose drift is gone is closed as completed", [], [], State(issues: [Filed(5, Partner)]), ["close issue #5 as completed: \"Resolved: Reconciler no longer finds this drift.\""]),
        new Row("but not while its dependency's lookups fail", [], [], State(issues: [Filed(5, Partner)]), []) { Unsure = ["partner"] },
        new Row("a closed issue whose drift stays gone is not touched", [], [], State(issues: [Filed(5, Partner, open: false, resolved: true)]), []),
        new Row("duplicates are closed as not planned and the oldest is kept", [], [Partner], State(issues: [Filed(7, Partner), Filed(5, Partner)]), ["close issue #7 as not_planned: \"Duplicate of #5: Reconciler keeps one issue per finding.\""]),
        new Row("over the limit of new issues the more severe opens and the rest waits", [], [Gone, Partner], State(), ["open issue \"partner: static-ip-changed 198.51.100.7\"", "wait issue gone: resolution-failed nx.example.test"]) { Limits = new(5, 1) },
        new Row("owner routing: a login owner is assigned its new issue", [], [Partner], State(), ["open issue \"partner: static-ip-changed 198.51.100.7\", assign @alice"]) { Owners = new() { ["partner"] = Alice } },
        new Row("owner routing: a team owner is not assigned (GitHub assigns people)", [], [Partner], State(), ["open issue \"partner: static-ip-changed 198.51.100.7\""]) { Owners = new() { ["partner"] = Netops } },
        new Row("owner routing: an open issue whose login owner was never assigned is repaired", [], [Partner], State(issues: [Filed(5, Partner)]), ["update issue #5, assign @alice"]) { Owners = new() { ["partner"] = Alice } },
        new Row("owner routing: an owner a person unassigned is not assigned again", [], [Partner], State(issues: [Filed(5, Partner, routed: Routing.None.WithAsked("@alice"))]), []) { Owners = new() { ["partner"] = Alice } },
    ];

    [Theory]
    [MemberData(nameof(PullRequestRows))]
    public void Pull_requests(Row row) => AssertDecides(row);

    [Theory]
    [MemberData(nameof(IssueRows))]
    public void Issues(Row row) => AssertDecides(row);

    [Theory]
    [MemberData(nameof(PullRequestRows))]
    [MemberData(nameof(IssueRows))]
    public void The_state_a_decision_leads_to_decides_nothing_more(Row row)
    {
        // What quiets a scheduled bot: GitHub as it is after a row's writes, given the same plan again.
        var plan = new ChangePlan(row.PullRequests, row.Issues);
        var decision = Decide(row, plan, row.State);
        var after = Applied(row.State, decision, row);

        var again = Decide(row, plan, after).Actions.Select(Describe).Where(l => !IsWaitingToOpen(l, row));

        Assert.Equal([], again);
    }

    private static void AssertDecides(Row row) =>
        Assert.Equal(row.Decided, Describe(Decide(row, new ChangePlan(row.PullRequests, row.Issues), row.State)));

    private static PublishDecision Decide(Row row, ChangePlan plan, ForgeState state) =>
        PublishDecisions.Decide(plan, state, row.Limits, row.Unsure.ToHashSet(StringComparer.Ordinal), row.Owners);

    /// <summary>Under a limit, what waited opens on the next run: that is the limit working, not the bot being noisy.</summary>
    private static bool IsWaitingToOpen(string line, Row row) =>
        line.StartsWith("open ", StringComparison.Ordinal) && (row.Limits.NewPullRequests < 5 || row.Limits.NewIssues < 10);

    /// <summary>The decision as a person reads it: one line per action, then what waits, what is left to people, what was declined.</summary>
    private static IEnumerable<string> Describe(PublishDecision decision) =>
    [
        .. decision.Actions.Select(Describe),
        .. decision.WaitingPullRequests.Select(p => $"wait pr {p.Branch}"),
        .. decision.WaitingIssues.Select(i => $"wait issue {i.Title}"),
        .. decision.LeftToPeople.Select(p => $"people: {p}"),
        .. decision.DeclinedChanges.Select(d => $"declined {d.Planned.Branch} (#{d.Number}){(d.Ticked ? ", ticked" : "")}"),
    ];

    private static string Describe(PublishAction action) => action switch
    {
        OpenPullRequest o => $"open pr {o.Planned.Branch}{(o.BranchSha is { } sha ? $" from {sha}{(o.CommitReady ? " (commit ready)" : "")}" : "")}{Review(o.Owner, Routing.None, null)}",
        UpdatePullRequest u => $"update pr #{u.Existing.Number}: {(u.CommitReady ? "repair title, body, labels" : "rebuild the branch")}{Review(u.Owner, u.Routed, u.Existing)}",
        ClosePullRequest c => $"close pr #{c.Existing.PullRequest.Number}",
        BackOffPullRequest b => $"back off pr #{b.Existing.PullRequest.Number}",
        DeleteBranch d => $"delete branch {d.Branch.Branch}",
        OpenIssue i => $"open issue \"{i.Planned.Title}\"{(i.Assignee is { } a ? $", assign {a}" : "")}",
        UpdateIssue u => $"{(u.Reopen ? "reopen" : "update")} issue #{u.Existing.Number}{(u.Comment is { } c ? $", comment \"{c.Split('\n')[0]}\"" : "")}{(PublishDecisions.ToAssign(u.Assignee, u.Marker.Routed, u.Existing) ? $", assign {u.Assignee}" : "")}",
        CloseIssue c => $"close issue #{c.Existing.Issue.Number} as {c.StateReason}: \"{c.Comment}\"",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "an action these tables do not describe yet"),
    };

    private static string Review(OwnerHandle? owner, Routing routed, ForgePullRequest? existing) =>
        owner is not null && (existing is null || PublishDecisions.ToAsk(owner, routed, existing)) ? $", review {owner}" : "";

    // The plan's side.

    private static Finding Finding(FindingKind kind, Severity severity, string dependency, string subject, string evidence) => new()
    {
        Kind = kind,
        Severity = severity,
        Dependency = dependency,
        Allowlist = "egress",
        Subject = subject,
        Message = $"{subject} drifted",
        Action = FindingAction.Issue,
        Evidence = [new Evidence(evidence.Split('\t')[0], evidence.Split('\t')[1], new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero))],
    };

    private static PlannedPullRequest Pr(string dependency, string[] added, Severity severity = Severity.High)
    {
        var findings = added.Select(a => Finding(FindingKind.MissingIp, severity, dependency, a, $"dns\t{a} from 127.0.0.1:53") with { Action = FindingAction.PullRequest }).ToList();
        return new PlannedPullRequest("egress", dependency, $"Allow {string.Join(", ", added)} for {dependency} in egress", $"Adds {string.Join(", ", added)}: seen at 2026-11-23T06:00:00Z.",
            ["reconciler", "allowlist", "missing-ip"], added, [], new Dictionary<string, IReadOnlyList<Reconciler.Yaml.TextEdit>>(), "+ " + string.Join(", ", added), findings)
        { OwnedByDependency = dependency };
    }

    private static PlannedIssue IssueOf(Finding finding) =>
        new(finding, $"{finding.Dependency}: {finding.Kind.ToWire()} {finding.Subject}", $"{finding.Message}.\n\n- {finding.Evidence[0].Source}: {finding.Evidence[0].Detail}",
            ["reconciler", finding.Kind.ToWire(), "severity:" + finding.Severity.ToString().ToLowerInvariant()])
        { OwnedByDependency = finding.Dependency };

    // GitHub's side: each item as the bot left it, unless a row changes it.

    private static ForgeState State(BotPullRequest[]? prs = null, BotBranch[]? orphans = null, BotIssue[]? issues = null, ForgeIssue? dashboard = null) => new(
        "main", "base0",
        (prs ?? []).ToDictionary(p => p.Branch, StringComparer.Ordinal),
        (orphans ?? []).ToDictionary(o => o.Branch, StringComparer.Ordinal),
        issues ?? [],
        dashboard);

    private static string HeadOf(int number) => $"h{number}";

    private static ForgePullRequest GitHubPr(int number, PlannedPullRequest planned) => new(
        number, planned.Branch, HeadOf(number), planned.Title, planned.Body, [.. PublishDecisions.LabelsOf(planned)], [], []);

    /// <param name="headChange">The change the branch head proposes; null when someone else's commit is on top.</param>
    private static BotPullRequest Open(int number, PlannedPullRequest asPlanned, string? headChange = "", bool backedOff = false, Routing? routed = null)
    {
        var change = PublishDecisions.ChangeOf(asPlanned);
        return new BotPullRequest(GitHubPr(number, asPlanned), new PullRequestMarker(asPlanned.Branch, change, HeadOf(number), backedOff, routed), headChange == "" ? change : headChange);
    }

    /// <param name="head">What the branch head proposes (null: someone else's commit).</param>
    private static BotBranch Orphan(PlannedPullRequest branch, PlannedPullRequest? head, int? declined = null) => new(
        branch.Branch, $"b-{branch.Dependency}", head is null ? null : PublishDecisions.ChangeOf(head),
        declined is null || head is null ? null : PublishDecisions.ChangeOf(head), declined);

    private static ForgeIssue GitHubIssue(int number, PlannedIssue planned, bool open = true) => new(
        number, open, planned.Title, Markers.WithMarker(planned.Body, PublishDecisions.MarkerOf(planned).ToString()), [.. planned.Labels], []);

    private static BotIssue Filed(int number, PlannedIssue asPlanned, bool open = true, bool resolved = false, Routing? routed = null) =>
        new(GitHubIssue(number, asPlanned, open), PublishDecisions.MarkerOf(asPlanned) with { Resolved = resolved, Routing = routed });

    private static ForgeIssue Ticked(PlannedPullRequest pr) => new(
        1, true, Dashboard.Title, $"{Dashboard.Begin}\n- [x] {Dashboard.RetryMarker(pr.Branch, PublishDecisions.ChangeOf(pr))} `{pr.Branch}`\n{Markers.Dashboard}", [], []);

    /// <summary>GitHub after the decision's writes, as Publisher makes them (opened, updated, closed; routed where asked).</summary>
    private static ForgeState Applied(ForgeState state, PublishDecision decision, Row row)
    {
        var prs = state.OpenPullRequests.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var orphans = state.OrphanBranches.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var issues = state.Issues.ToList();
        var next = 100;
        foreach (var action in decision.Actions)
        {
            switch (action)
            {
                case OpenPullRequest o:
                    orphans.Remove(o.Planned.Branch);
                    prs[o.Planned.Branch] = Routed(Open(next++, o.Planned), o.Owner);
                    break;
                case UpdatePullRequest u:
                    prs[u.Planned.Branch] = Routed(Open(u.Existing.Number, u.Planned, routed: u.Routed), u.Owner);
                    break;
                case ClosePullRequest c:
                    prs.Remove(c.Existing.Branch);
                    break;
                case BackOffPullRequest b:
                    prs[b.Existing.Branch] = b.Existing with { Marker = b.Existing.Marker with { BackedOff = true } };
                    break;
                case DeleteBranch d:
                    orphans.Remove(d.Branch.Branch);
                    break;
                case OpenIssue i:
                    issues.Add(Filed(next++, i.Planned, routed: i.Assignee is null ? null : Routing.None.WithAsked(i.Assignee.ToString())));
                    break;
                case UpdateIssue u:
                    issues.RemoveAll(i => i.Issue.Number == u.Existing.Number);
                    issues.Add(Filed(u.Existing.Number, u.Planned, routed: u.Assignee is null ? u.Marker.Routing : u.Marker.Routed.WithAsked(u.Assignee.ToString())));
                    break;
                case CloseIssue c:
                    issues.RemoveAll(i => i.Issue.Number == c.Existing.Issue.Number);
                    issues.Add(c.Existing with { Issue = c.Existing.Issue with { IsOpen = false }, Marker = c.Existing.Marker with { Resolved = true } });
                    break;
            }
        }
        return state with { OpenPullRequests = prs, OrphanBranches = orphans, Issues = issues };

        BotPullRequest Routed(BotPullRequest pr, OwnerHandle? owner) =>
            owner is null ? pr : pr with { Marker = pr.Marker with { Routing = pr.Marker.Routed.WithAsked(owner.ToString()) } };
    }
}
