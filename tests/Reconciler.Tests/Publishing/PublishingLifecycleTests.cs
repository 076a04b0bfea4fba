using Reconciler.Diagnostics;
using Reconciler.GitHub;
using Reconciler.Publishing;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// Scheduled runs against the stateful fake GitHub (every request checked against GitHub's OpenAPI description):
/// one PR per drift group, updated in place and closed when the drift is gone; one issue per finding; nothing
/// duplicated, nothing half made, and a quiet world makes no writes.
/// </summary>
public sealed class PublishingLifecycleTests
{
    private static string[] Changed(string before, string after) =>
        [.. after.Split('\n').Except(before.Split('\n'))];

    [Fact]
    public async Task The_first_run_opens_one_pull_request_and_an_issue_per_finding_and_an_identical_run_writes_nothing()
    {
        await using var world = await PublishingWorld.CreateAsync();
        world.GitHub.PageSize = 2; // lists come in pages: the client must follow Link

        var (report, exit) = await world.RunAsync(PublishingWorld.Start);

        var pr = Assert.Single(world.GitHub.PullRequests);
        Assert.Equal("reconciler/app-egress/ledger", pr.HeadRef);
        Assert.Equal("main", pr.BaseRef);
        Assert.Equal("app-egress: admit 1 new address of ledger", pr.Title);
        Assert.Contains("192.0.2.11", pr.Body!, StringComparison.Ordinal);
        Assert.Contains("reconciler", pr.Labels);
        Assert.Contains("missing-ip", pr.Labels);
        Assert.Contains(pr.Labels, l => l.StartsWith("severity:", StringComparison.Ordinal));
        // One commit on top of main, changing only the line that must change; comments and quoting stay.
        var head = world.GitHub.Commits[world.GitHub.Refs["refs/heads/" + pr.HeadRef]];
        Assert.Equal([world.GitHub.Refs["refs/heads/main"]], head.Parents);
        var before = world.GitHub.FileOnBranch("main", PublishingWorld.PolicyPath);
        var after = world.GitHub.FileOnBranch(pr.HeadRef!, PublishingWorld.PolicyPath);
        Assert.Equal(["          - 192.0.2.11"], Changed(before, after));
        Assert.Empty(before.Split('\n').Except(after.Split('\n')));

        var issueFindings = report.Findings.Where(f => f.Action == Reconciler.Findings.FindingAction.Issue).ToList();
        Assert.NotEmpty(issueFindings);
        var issues = world.GitHub.Issues.Where(i => i.Title != Dashboard.Title).ToList();
        // One issue per dependency and kind of drift, found again by its marker.
        Assert.Equal(issueFindings.Select(f => $"{f.Dependency} {Reconciler.Findings.FindingKinds.ToWire(f.Kind)}").Distinct().Order(), issues.Select(i => $"{Markers.Issue(i.Body)!.Dependency} {i.Labels.Single(l => issueFindings.Any(f => Reconciler.Findings.FindingKinds.ToWire(f.Kind) == l))}").Order());
        var dashboard = Assert.Single(world.GitHub.Issues, i => i.Title == Dashboard.Title);
        Assert.Contains($"#{pr.Number}", dashboard.Body!, StringComparison.Ordinal);
        Assert.All(issues, i => Assert.Contains($"#{i.Number}", dashboard.Body!, StringComparison.Ordinal));
        Assert.Equal(1, exit); // a high finding is open: the run says so

        var writes = world.GitHub.Writes;
        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        Assert.Equal(writes, world.GitHub.Writes);
        Assert.Single(world.GitHub.PullRequests);
        Assert.Equal(issues.Count + 1, world.GitHub.Issues.Count());
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task Growing_drift_updates_the_same_pull_request_and_vanishing_drift_closes_it()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var pr = Assert.Single(world.GitHub.PullRequests);
        var firstHead = world.GitHub.Refs["refs/heads/" + pr.HeadRef];

        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.11", "192.0.2.12"];
        await world.RunAsync(PublishingWorld.Start.AddHours(6));
        Assert.Same(pr, Assert.Single(world.GitHub.PullRequests));
        Assert.NotEqual(firstHead, world.GitHub.Refs["refs/heads/" + pr.HeadRef]);
        Assert.Contains("192.0.2.12", world.GitHub.FileOnBranch(pr.HeadRef!, PublishingWorld.PolicyPath), StringComparison.Ordinal);
        Assert.Contains("192.0.2.12", pr.Body!, StringComparison.Ordinal);
        Assert.Equal("open", pr.State);

        // A person admits both addresses on main themselves: the bot's PR has nothing left to do.
        var policy = world.GitHub.FileOnBranch("main", PublishingWorld.PolicyPath)
            .Replace("- 192.0.2.10        # the ledger's front door", "- 192.0.2.10        # the ledger's front door\n          - 192.0.2.11\n          - 192.0.2.12", StringComparison.Ordinal);
        world.GitHub.PushAsPerson("main", PublishingWorld.PolicyPath, policy, "Admit the ledger's new addresses");
        world.Checkout();
        await world.RunAsync(PublishingWorld.Start.AddHours(12));
        Assert.Equal("closed", pr.State);
        Assert.Contains(world.GitHub.CommentsOn(pr.Number), c => c.Contains("drift this pull request would fix is gone", StringComparison.Ordinal));
        Assert.False(world.GitHub.Refs.ContainsKey("refs/heads/" + pr.HeadRef));
        Assert.DoesNotContain($"#{pr.Number}", world.GitHub.Issues.Single(i => i.Title == Dashboard.Title).Body!, StringComparison.Ordinal);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_person_pushing_to_the_bot_branch_makes_the_bot_back_off_and_say_so_once()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var pr = Assert.Single(world.GitHub.PullRequests);
        var edited = world.GitHub.FileOnBranch(pr.HeadRef!, PublishingWorld.PolicyPath).Replace("reason: \"T100\"", "reason: \"T100, T207\"", StringComparison.Ordinal);
        var theirs = world.GitHub.PushAsPerson(pr.HeadRef!, PublishingWorld.PolicyPath, edited, "Name the ticket");

        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.11", "192.0.2.13"];
        for (var run = 1; run <= 3; run++)
            await world.RunAsync(PublishingWorld.Start.AddHours(6 * run));

        Assert.Equal(theirs, world.GitHub.Refs["refs/heads/" + pr.HeadRef]);
        Assert.Single(world.GitHub.CommentsOn(pr.Number), c => c.Contains("Someone else pushed", StringComparison.Ordinal));
        Assert.DoesNotContain("192.0.2.13", pr.Body!, StringComparison.Ordinal);
        Assert.Contains("someone else pushed", world.GitHub.Issues.Single(i => i.Title == Dashboard.Title).Body!, StringComparison.Ordinal);
        Assert.Single(world.GitHub.PullRequests);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task The_same_failure_on_a_thousand_runs_is_still_one_issue_and_it_closes_and_reopens_with_the_drift()
    {
        await using var world = await PublishingWorld.CreateAsync();
        world.Dns["api.ledger.test"] = null; // SERVFAIL, every run
        for (var run = 0; run < 1000; run++)
            await world.RunAsync(PublishingWorld.Start.AddMinutes(10 * run));
        var failed = world.GitHub.Issues.Where(i => i.Labels.Contains("resolution-failed")).ToList();
        var issue = Assert.Single(failed);
        Assert.Empty(world.GitHub.CommentsOn(issue.Number));
        var billing = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));

        // Both resolve as declared again (and .99 is unseen for longer than stale_after): their issues close with a word.
        // The failure comes back: the same issue reopens.
        world.Dns["api.ledger.test"] = ["192.0.2.10"];
        world.Dns["api.billing.test"] = ["198.51.100.7"];
        await world.RunAsync(PublishingWorld.Start.AddDays(10));
        Assert.True(issue.State == "closed", string.Join("\n", world.Log.Lines.TakeLast(15)));
        Assert.Equal("closed", billing.State);
        Assert.Contains(world.GitHub.CommentsOn(issue.Number), c => c.StartsWith("Resolved", StringComparison.Ordinal));
        world.Dns["api.ledger.test"] = null;
        await world.RunAsync(PublishingWorld.Start.AddDays(10).AddHours(6));
        Assert.Equal("open", issue.State);
        Assert.Contains(world.GitHub.CommentsOn(issue.Number), c => c.Contains("back", StringComparison.Ordinal));
        Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("resolution-failed"));
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_change_of_severity_rewrites_the_issue_says_so_once_and_keeps_peoples_labels()
    {
        await using var world = await PublishingWorld.CreateAsync();
        world.Dns["api.ledger.test"] = null; // SERVFAIL: medium
        await world.RunAsync(PublishingWorld.Start);
        var issue = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("resolution-failed"));
        Assert.Contains("severity:medium", issue.Labels);
        issue.Labels.Add("triaged"); // a person's label

        world.Failures["api.ledger.test"] = Reconciler.Dns.Resolution.DnsOutcome.NxDomain; // the name is gone: high
        for (var run = 1; run <= 3; run++)
            await world.RunAsync(PublishingWorld.Start.AddHours(run));

        Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("resolution-failed"));
        Assert.Equal(["Severity is now **high** (was medium)."], world.GitHub.CommentsOn(issue.Number));
        Assert.Contains("**high**", issue.Body!, StringComparison.Ordinal);
        Assert.Equal(["reconciler", "resolution-failed", "severity:high", "triaged"], issue.Labels.Order(StringComparer.Ordinal));
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task Limits_open_the_most_severe_first_and_list_the_rest_on_the_dashboard_for_later_runs()
    {
        await using var world = await PublishingWorld.CreateAsync(PublishingWorld.Policy.Replace("  stale_after: 2d", "  stale_after: 2d\n  max_new_issues: 1", StringComparison.Ordinal));
        world.Dns["api.ledger.test"] = null;
        await world.RunAsync(PublishingWorld.Start);
        Assert.Single(world.GitHub.Issues, i => i.Title != Dashboard.Title);
        var dashboard = world.GitHub.Issues.Single(i => i.Title == Dashboard.Title);
        Assert.Contains("Waiting (over this run's limit of new issues", dashboard.Body!, StringComparison.Ordinal);

        await world.RunAsync(PublishingWorld.Start.AddHours(6));
        Assert.Equal(2, world.GitHub.Issues.Count(i => i.Title != Dashboard.Title));
        Assert.DoesNotContain("Waiting", dashboard.Body!, StringComparison.Ordinal);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task Server_errors_and_secondary_limits_are_retried()
    {
        await using var world = await PublishingWorld.CreateAsync();
        world.GitHub.FailOnce(r => r.Method == "POST" && r.Path.EndsWith("/git/commits", StringComparison.Ordinal), 502, "Server Error");
        world.GitHub.FailOnce(r => r.Method == "POST" && r.Path.EndsWith("/pulls", StringComparison.Ordinal), 403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", ("Retry-After", "1"));
        await world.RunAsync(PublishingWorld.Start);
        Assert.Single(world.GitHub.PullRequests);
        // Commits: the refused one, its retry, and the state branch's. Pull requests: the refused one and its retry.
        Assert.Equal(3, world.GitHub.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/git/commits", StringComparison.Ordinal)));
        Assert.Equal(2, world.GitHub.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/pulls", StringComparison.Ordinal)));
        Assert.Empty(world.GitHub.Faults);
    }

    [Theory]
    [InlineData("/git/trees")]   // before any commit
    [InlineData("/pulls")]       // after the branch was made, before its pull request
    public async Task A_primary_rate_limit_ends_the_run_with_exit_3_leaving_nothing_half_made_and_the_next_run_finishes(string failing)
    {
        await using var world = await PublishingWorld.CreateAsync();
        world.GitHub.FailOnce(r => r.Method == "POST" && r.Path.EndsWith(failing, StringComparison.Ordinal), 403,
            "API rate limit exceeded for installation.", ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1795000000"));
        var error = await Assert.ThrowsAsync<GitHubRateLimitException>(() => world.RunAsync(PublishingWorld.Start));
        Assert.Equal(ExitCodes.RunFailed, ExitCodes.For(error));
        Assert.Contains("rate limit", error.Message, StringComparison.Ordinal);
        Assert.Empty(world.GitHub.PullRequests);
        // Whatever branch exists points at a whole commit whose file validates (it is the finished edit).
        foreach (var (name, sha) in world.GitHub.Refs.Where(r => r.Key.StartsWith("refs/heads/reconciler/app-egress", StringComparison.Ordinal)))
            Assert.Contains("192.0.2.11", world.GitHub.FileOnBranch(name["refs/heads/".Length..], PublishingWorld.PolicyPath), StringComparison.Ordinal);

        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        var pr = Assert.Single(world.GitHub.PullRequests);
        Assert.Equal("open", pr.State);
        Assert.Single(world.GitHub.Refs.Keys, k => k.StartsWith("refs/heads/reconciler/app-egress", StringComparison.Ordinal));
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task GitHub_down_ends_the_run_with_exit_3_after_retrying_and_names_what_failed()
    {
        await using var world = await PublishingWorld.CreateAsync();
        var closed = ExternalToolPort();
        var error = await Assert.ThrowsAsync<ReconcilerException>(() => world.RunAsync(PublishingWorld.Start,
            adjust: o => o with { GitHubApi = $"http://127.0.0.1:{closed}/" }));
        Assert.Equal(ExitCodes.RunFailed, error.ExitCode);
        Assert.StartsWith("GitHub: GET /repos/acme/egress-policies/git/ref/heads%2Freconciler%2Fstate at 127.0.0.1 failed after 3 retries", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Token, error.ToString(), StringComparison.Ordinal);
    }

    private static int ExternalToolPort() => Support.ExternalTool.FreePort(); // nothing listens there

    [Fact]
    public async Task A_bad_token_ends_the_run_with_exit_3_and_the_token_appears_nowhere()
    {
        await using var world = await PublishingWorld.CreateAsync();
        var wrong = "ghp_" + Guid.NewGuid().ToString("N");
        var error = await Assert.ThrowsAsync<GitHubAuthorizationException>(() => world.RunAsync(PublishingWorld.Start, token: wrong));
        Assert.Equal(ExitCodes.RunFailed, ExitCodes.For(error));
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);

        await world.RunAsync(PublishingWorld.Start);
        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.14"];
        await world.RunAsync(PublishingWorld.Start.AddHours(6));
        foreach (var (where, text) in world.EverythingWritten())
        {
            Assert.False(text.Contains(world.Token, StringComparison.Ordinal), $"the token appears in {where}");
            Assert.False(text.Contains(wrong, StringComparison.Ordinal), $"the wrong token appears in {where}");
        }
        Assert.All(world.GitHub.Requests.Skip(1), r => Assert.Equal("Bearer " + world.Token, r.Authorization));
    }

    [Fact]
    public async Task The_drift_memory_lives_on_the_state_branch_and_is_written_only_when_it_changes()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var first = world.GitHub.Refs["refs/heads/" + StateBranch.DefaultName];
        var state = world.GitHub.Blobs[world.GitHub.Trees[world.GitHub.Commits[first].Tree][StateBranch.FileName]];
        Assert.Contains("192.0.2.11", state, StringComparison.Ordinal);

        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        Assert.Equal(first, world.GitHub.Refs["refs/heads/" + StateBranch.DefaultName]);
        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.11", "192.0.2.15"];
        await world.RunAsync(PublishingWorld.Start.AddHours(2));
        var second = world.GitHub.Refs["refs/heads/" + StateBranch.DefaultName];
        Assert.Equal([first], world.GitHub.Commits[second].Parents);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task Shards_plan_apart_and_publish_once_from_the_merged_report_as_one_run_would()
    {
        await using var whole = await PublishingWorld.CreateAsync();
        await whole.RunAsync(PublishingWorld.Start);

        await using var sharded = await PublishingWorld.CreateAsync();
        var folder = Path.Combine(sharded.Out, "shards");
        for (var shard = 1; shard <= 2; shard++)
        {
            var index = shard;
            await sharded.RunAsync(PublishingWorld.Start, adjust: o => o with { Shard = new Reconciler.Run.Shard(index, 2), Out = Path.Combine(folder, $"shard-{index}") });
        }
        Assert.Empty(sharded.GitHub.PullRequests);
        Assert.Equal(0, sharded.GitHub.Writes); // shards only read (the state branch)

        sharded.Merge(folder);
        await sharded.RunAsync(PublishingWorld.Start, adjust: o => o with { Observations = null, Report = Path.Combine(folder, "report.json") });

        string[] Titles(PublishingWorld w) => [.. w.GitHub.Items.Select(i => $"{(i.IsPullRequest ? "pr" : "issue")}: {i.Title}").Order(StringComparer.Ordinal)];
        Assert.Equal(Titles(whole), Titles(sharded));
        Assert.Equal(whole.GitHub.FileOnBranch("reconciler/app-egress/ledger", PublishingWorld.PolicyPath), sharded.GitHub.FileOnBranch("reconciler/app-egress/ledger", PublishingWorld.PolicyPath));
        var state = sharded.GitHub.Blobs[sharded.GitHub.Trees[sharded.GitHub.Commits[sharded.GitHub.Refs["refs/heads/" + StateBranch.DefaultName]].Tree][StateBranch.FileName]];
        Assert.Contains("api.ledger.test", state, StringComparison.Ordinal);
        Assert.Contains("api.billing.test", state, StringComparison.Ordinal);
        Assert.Empty(sharded.GitHub.Violations);
    }
}
