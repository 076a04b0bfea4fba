using Reconciler.Publishing;
using Xunit.Abstractions;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// README "Publishing (Reconcile)", owners: a pull request of a dependency whose owner is a GitHub handle asks that handle to review (a team as a
/// team reviewer); its issues are assigned to a login owner and mention a team owner. A handle GitHub refuses is
/// reported on the dashboard once and never asked again.
/// </summary>
public sealed class OwnerRoutingTests(ITestOutputHelper output)
{
    private static string WithOwners(string ledger, string billing) => PublishingWorld.Policy
        .Replace("  - name: ledger\n", $"  - name: ledger\n    owner: \"{ledger}\"\n", StringComparison.Ordinal)
        .Replace("  - name: billing\n", $"  - name: billing\n    owner: \"{billing}\"\n", StringComparison.Ordinal);

    [Fact]
    public async Task A_team_owner_reviews_its_pull_request_and_a_login_owner_is_assigned_its_issue_once()
    {
        await using var world = await PublishingWorld.CreateAsync(WithOwners("@acme/netops", "@carol"));
        await world.RunAsync(PublishingWorld.Start);

        var pr = Assert.Single(world.GitHub.PullRequests);
        Assert.Equal(["netops"], pr.RequestedTeams);
        Assert.Empty(pr.RequestedReviewers);
        Assert.Contains("Owner: `@acme/netops`", pr.Body!, StringComparison.Ordinal);
        var issue = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));
        Assert.Equal(["carol"], issue.Assignees);
        output.WriteLine("pull request #" + pr.Number + ", review requested from teams [" + string.Join(", ", pr.RequestedTeams) + "] and users [" + string.Join(", ", pr.RequestedReviewers) + "]");
        output.WriteLine(pr.Body);

        // The team reviews (GitHub then drops the request) and a person unassigns carol: neither is asked again.
        pr.RequestedTeams.Clear();
        issue.Assignees.Clear();
        var writes = world.GitHub.Writes;
        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        Assert.Equal(writes, world.GitHub.Writes);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_team_owner_is_mentioned_in_its_issues_and_a_login_owner_reviews()
    {
        await using var world = await PublishingWorld.CreateAsync(WithOwners("@alice", "@acme/netops"));
        await world.RunAsync(PublishingWorld.Start);

        var pr = Assert.Single(world.GitHub.PullRequests);
        Assert.Equal(["alice"], pr.RequestedReviewers);
        var issue = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));
        Assert.Contains("- owner: @acme/netops", issue.Body!, StringComparison.Ordinal);
        Assert.Empty(issue.Assignees);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_handle_github_refuses_is_on_the_dashboard_once_and_never_asked_again()
    {
        await using var world = await PublishingWorld.CreateAsync(WithOwners("@ghost", "@dave"));
        await world.RunAsync(PublishingWorld.Start);

        var pr = Assert.Single(world.GitHub.PullRequests);
        Assert.Empty(pr.RequestedReviewers);
        Assert.Contains("missing-ip", pr.Labels); // the refusal stops nothing else
        var issue = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));
        Assert.Empty(issue.Assignees);
        var dashboard = Assert.Single(world.GitHub.Issues, i => i.Title == Dashboard.Title).Body!;
        Assert.Single(dashboard.Split('\n'), l => l.Contains("`@ghost`", StringComparison.Ordinal));
        Assert.Single(dashboard.Split('\n'), l => l.Contains("`@dave`", StringComparison.Ordinal));
        Assert.Contains(world.Log.Lines, l => l.Contains("not a collaborator", StringComparison.Ordinal));

        var before = world.GitHub.Requests.Count;
        for (var run = 1; run <= 3; run++)
            await world.RunAsync(PublishingWorld.Start.AddHours(run));
        var later = world.GitHub.Requests.Skip(before).ToList();
        Assert.DoesNotContain(later, r => r.Path.EndsWith("/requested_reviewers", StringComparison.Ordinal) || r.Path.EndsWith("/assignees", StringComparison.Ordinal));
        // Nothing but the drift memory's own commit on the state branch (its spans of proof grew by three hours).
        Assert.DoesNotContain(later, r => r.Method != "GET" && !r.Path.EndsWith("/git/trees", StringComparison.Ordinal) && !r.Path.EndsWith("/git/commits", StringComparison.Ordinal) && !r.Path.EndsWith("/git/refs/heads%2Freconciler%2Fstate", StringComparison.Ordinal));
        Assert.Single(world.GitHub.Issues.Single(i => i.Title == Dashboard.Title).Body!.Split('\n'), l => l.Contains("`@ghost`", StringComparison.Ordinal));
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_review_request_that_failed_with_a_server_error_is_made_by_the_next_run()
    {
        await using var world = await PublishingWorld.CreateAsync(WithOwners("@alice", "@carol"));
        for (var i = 0; i < 4; i++)
        {
            var attempt = i;
            world.GitHub.FailOnce(r => attempt >= 0 && r.Path.EndsWith("/requested_reviewers", StringComparison.Ordinal), 502, "Bad Gateway");
        }
        await Assert.ThrowsAnyAsync<Reconciler.GitHub.GitHubApiException>(() => world.RunAsync(PublishingWorld.Start));
        var pr = Assert.Single(world.GitHub.PullRequests);
        Assert.Empty(pr.RequestedReviewers);

        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        Assert.Equal(["alice"], pr.RequestedReviewers);
        Assert.Equal(["carol"], Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed")).Assignees);
        var writes = world.GitHub.Writes;
        await world.RunAsync(PublishingWorld.Start.AddHours(2));
        Assert.Equal(writes, world.GitHub.Writes);
        Assert.Empty(world.GitHub.Violations);
    }
}
