using Reconciler.Findings;
using Xunit.Abstractions;
using Reconciler.Planning;
using Reconciler.Publishing;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// Only its own items (README "Publishing (Reconcile)"): a copied marker in someone else's pull request or issue, a
/// fork's pull request from a branch named like the bot's, and a person's amended commit that keeps the bot's trailer
/// steer nothing; a removed label does not make the bot forget its issue. Each test also shows the bot's own item,
/// in the same run, still managed: a test that passed by doing nothing would fail there.
/// </summary>
public sealed class OwnershipTests(ITestOutputHelper output)
{
    /// <summary>What the last run said (for the closing note's before/after).</summary>
    private void Show(PublishingWorld world, int from)
    {
        foreach (var line in world.Log.Shown.Skip(from).Where(l => !l.StartsWith("summary:", StringComparison.Ordinal)))
            output.WriteLine(line);
    }

    private const string Ledger = "reconciler/app-egress/ledger";

    /// <summary>Past stale_after (2d): what was seen before and not since is no drift any more.</summary>
    private static readonly DateTimeOffset Gone = PublishingWorld.Start.AddDays(3);

    /// <summary>DNS says what the policy says: nothing drifts.</summary>
    private static void Quiet(PublishingWorld world)
    {
        world.Dns["api.ledger.test"] = ["192.0.2.10"];
        world.Dns["api.billing.test"] = ["198.51.100.7"];
    }

    [Fact]
    public async Task A_copied_marker_in_a_persons_pull_request_from_their_own_branch_is_ignored_while_the_bots_own_is_closed()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var own = Assert.Single(world.GitHub.PullRequests);
        Quiet(world);
        var main = world.GitHub.Refs["refs/heads/main"];
        var theirs = world.GitHub.OpenPullRequestAsPerson("production", "Deploy the week's changes",
            $"Ship it.\n\n<!-- reconciler:pull-request-state branch=production change=0 head={main} -->\n");

        var from = world.Log.Shown.Count;
        var (_, exit) = await world.RunAsync(Gone);
        Show(world, from);

        Assert.Equal("closed", own.State); // the bot's own, with the same kind of marker, is still managed
        Assert.False(world.GitHub.Refs.ContainsKey("refs/heads/" + Ledger));
        var pr = world.GitHub.PullRequests.Single(p => p.Number == theirs);
        Assert.Equal("open", pr.State);
        Assert.True(world.GitHub.Refs.ContainsKey("refs/heads/production"), "the person's branch production is still there");
        Assert.Empty(world.GitHub.CommentsOn(theirs));
        Assert.NotEqual(3, exit);
        Assert.Contains(world.Log.Lines, l => l.Contains($"#{theirs}", StringComparison.Ordinal) && l.Contains("not Reconciler's", StringComparison.Ordinal));
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_fork_pull_request_from_a_branch_named_like_the_bots_with_its_marker_copied_is_ignored()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var own = Assert.Single(world.GitHub.PullRequests);
        Quiet(world);
        const string Billing = "reconciler/app-egress/billing";
        var fork = world.GitHub.OpenForkPullRequest("mallory", Billing, "app-egress: admit 0.0.0.0/0", "");
        var forkHead = world.GitHub.PullRequests.Single(p => p.Number == fork).LastHead!;
        // The bot's own marker, copied, naming the fork's branch and head: all a text check could ask for.
        var marker = Markers.PullRequest(own.Body)! with { Branch = Billing, Head = forkHead };
        world.GitHub.EditBodyAsPerson(fork, _ => "Looks like Reconciler's.\n\n" + marker);

        var (_, exit) = await world.RunAsync(Gone);

        Assert.Equal("closed", own.State); // positive control
        var pr = world.GitHub.PullRequests.Single(p => p.Number == fork);
        Assert.Equal("open", pr.State);
        Assert.Empty(world.GitHub.CommentsOn(fork));
        Assert.NotEqual(3, exit);
        Assert.DoesNotContain(world.GitHub.Requests, r => r.Method == "DELETE" && r.Path.Contains("billing", StringComparison.Ordinal));
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_persons_amended_commit_keeping_the_bots_trailer_makes_the_bot_back_off_and_never_move_the_branch_over_it()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var pr = Assert.Single(world.GitHub.PullRequests);
        var first = world.GitHub.Refs["refs/heads/" + Ledger];

        // Positive control: while the head is the bot's commit, more drift moves the branch.
        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.11", "192.0.2.12"];
        await world.RunAsync(PublishingWorld.Start.AddHours(6));
        Assert.NotEqual(first, world.GitHub.Refs["refs/heads/" + Ledger]);
        Assert.Empty(world.GitHub.CommentsOn(pr.Number));

        var widened = world.GitHub.FileOnBranch(Ledger, PublishingWorld.PolicyPath)
            .Replace("          - 192.0.2.10        # the ledger's front door", "          - 0.0.0.0/1\n          - 192.0.2.10        # the ledger's front door", StringComparison.Ordinal);
        var amended = world.GitHub.AmendAsPerson(Ledger, PublishingWorld.PolicyPath, widened);
        Assert.Contains("Reconciler-Change:", world.GitHub.Commits[amended].Message, StringComparison.Ordinal);

        var from = world.Log.Shown.Count;
        await world.RunAsync(PublishingWorld.Start.AddHours(12));
        Show(world, from);
        var said = Assert.Single(world.GitHub.CommentsOn(pr.Number));
        Assert.Contains("Someone else pushed", said, StringComparison.Ordinal);
        Assert.True(Markers.PullRequest(pr.Body)!.BackedOff);

        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"];
        await world.RunAsync(PublishingWorld.Start.AddHours(18));
        Assert.Equal(amended, world.GitHub.Refs["refs/heads/" + Ledger]);
        Assert.Single(world.GitHub.CommentsOn(pr.Number));
        Assert.Equal("open", pr.State);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task An_issue_whose_label_a_person_removed_stays_the_bots_own_and_is_not_opened_again()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var issue = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));
        var count = world.GitHub.Issues.Count();
        issue.Labels.Remove("reconciler");

        await world.RunAsync(PublishingWorld.Start.AddHours(6));
        Assert.Equal(count, world.GitHub.Issues.Count());
        Assert.Equal("open", issue.State);

        // Still its own: when the drift is gone, the bot closes it.
        world.Dns["api.billing.test"] = ["198.51.100.7"];
        await world.RunAsync(Gone);
        Assert.Equal("closed", issue.State);
        Assert.Equal(count, world.GitHub.Issues.Count());
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task Copied_issue_markers_in_a_persons_issues_steer_nothing_while_the_bots_own_issue_is_closed()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var own = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));
        var copied = world.GitHub.OpenIssueAsPerson("Admit 0.0.0.0/0 for billing", "Please.\n\n" + Markers.Issue(own.Body), ["reconciler", "static-ip-changed"]);
        var invented = world.GitHub.OpenIssueAsPerson("Something else", "<!-- reconciler:issue-state fingerprint=00000000000000aa dependency=ledger revision=aa material=aa severity=low -->", ["reconciler"]);

        world.Dns["api.billing.test"] = ["198.51.100.7"];
        await world.RunAsync(Gone);

        Assert.Equal("closed", own.State); // positive control
        foreach (var number in new[] { copied, invented })
        {
            var theirs = world.GitHub.Issues.Single(i => i.Number == number);
            Assert.Equal("open", theirs.State);
            Assert.Empty(world.GitHub.CommentsOn(number));
        }
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task An_expired_ignore_entry_for_every_dependency_is_one_issue_however_many_runs()
    {
        var policy = PublishingWorld.Policy.Replace("settings:", "ignore:\n  - kind: user-agent-risk\n    reason: legacy clients\n    expires: 2026-10-01\n\nsettings:", StringComparison.Ordinal);
        await using var world = await PublishingWorld.CreateAsync(policy);
        for (var run = 0; run < 3; run++)
            await world.RunAsync(PublishingWorld.Start.AddHours(6 * run));

        var expired = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("ignore-expired"));
        Assert.Contains("*", expired.Title, StringComparison.Ordinal);
        Assert.Equal("*", Markers.Issue(expired.Body)!.Dependency);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_commit_under_the_bots_name_is_adopted_only_when_it_holds_exactly_the_planned_change()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var pr = Assert.Single(world.GitHub.PullRequests);
        var bot = world.GitHub.TokenLogin;

        // Positive control: the bot's own commit of the planned change, not yet recorded (a run that stopped after
        // moving the branch), is adopted as the bot's: no back-off, the marker records it.
        var same = world.GitHub.FileOnBranch(Ledger, PublishingWorld.PolicyPath);
        var own = world.GitHub.AmendAsPerson(Ledger, PublishingWorld.PolicyPath, same, committer: bot);
        await world.RunAsync(PublishingWorld.Start.AddHours(6));
        Assert.Empty(world.GitHub.CommentsOn(pr.Number));
        Assert.Equal(own, Markers.PullRequest(pr.Body)!.Head);

        // The same name on author and committer (anyone can set them), the same trailer, another tree: not the bot's.
        var widened = same.Replace("          - 192.0.2.10        # the ledger's front door", "          - 0.0.0.0/1\n          - 192.0.2.10        # the ledger's front door", StringComparison.Ordinal);
        var forged = world.GitHub.AmendAsPerson(Ledger, PublishingWorld.PolicyPath, widened, committer: bot);
        await world.RunAsync(PublishingWorld.Start.AddHours(12));
        Assert.Contains("Someone else pushed", Assert.Single(world.GitHub.CommentsOn(pr.Number)), StringComparison.Ordinal);
        Assert.Equal(forged, world.GitHub.Refs["refs/heads/" + Ledger]);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task Every_finding_that_report_json_sends_to_github_is_found_there_by_its_fingerprint()
    {
        await using var world = await PublishingWorld.CreateAsync();
        world.Dns["api.billing.test"] = ["198.51.100.99", "198.51.100.98"]; // two addresses: one grouped issue of two findings
        var (report, _) = await world.RunAsync(PublishingWorld.Start);

        var published = report.Findings.Where(f => f.Action is FindingAction.PullRequest or FindingAction.Issue).Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var listed = world.GitHub.Items.SelectMany(i => FindingsMarker.Read(i.Body)).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(published);
        Assert.Subset(listed, published);
        var grouped = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));
        Assert.Equal(2, FindingsMarker.Read(grouped.Body).Count);
        Assert.DoesNotContain(Markers.Issue(grouped.Body)!.Fingerprint, FindingsMarker.Read(grouped.Body)); // the group's own key is not a finding's
    }
}
