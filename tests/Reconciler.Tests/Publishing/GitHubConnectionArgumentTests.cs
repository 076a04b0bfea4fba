using Reconciler.Diagnostics;
using Reconciler.GitHub;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// ConnectGitHub's checks (README "Publishing (Reconcile)"): the token crosses no network in the clear, a repository the
/// token cannot see is a bad argument, and the bot knows whose token it holds, Actions' GITHUB_TOKEN included.
/// </summary>
public sealed class GitHubConnectionArgumentTests
{
    private static ReconcilerRun Run(PublishingWorld world, Func<RunOptions, RunOptions>? adjust = null) =>
        new((adjust ?? (o => o))(new RunOptions
        {
            Target = "Reconcile",
            Now = PublishingWorld.Start,
            Out = world.Out,
            Policies = world.Policies,
            GitHubApi = world.GitHub.Url.AbsoluteUri,
            Repository = $"{FakeGitHub.Owner}/{FakeGitHub.Name}",
        }), world.Log) { GitHubRetry = new GitHubRetryOptions { MaxRetries = 0 } };

    [Theory]
    [InlineData("http://192.0.2.1:8080/")]
    [InlineData("http://github.example/api/v3")]
    [InlineData("http://10.0.0.1/")]
    public async Task Plain_http_to_anything_but_loopback_is_exit_2_before_any_request(string api)
    {
        await using var world = await PublishingWorld.CreateAsync();
        using var run = Run(world, o => o with { GitHubApi = api });
        var error = await Assert.ThrowsAnyAsync<ReconcilerException>(() => run.ConnectToGitHubAsync(world.Token));
        Assert.Equal(ExitCodes.InvalidInput, ExitCodes.For(error));
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
        Assert.Contains("--github-api", error.Message, StringComparison.Ordinal);

        // Positive control: the same fake over http on loopback (127.0.0.1 and localhost) is accepted.
        using var loopback = Run(world);
        await loopback.ConnectToGitHubAsync(world.Token);
        using var named = Run(world, o => o with { GitHubApi = world.GitHub.Url.AbsoluteUri.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) });
        await named.ConnectToGitHubAsync(world.Token);
    }

    [Fact]
    public async Task A_repository_that_does_not_exist_or_is_out_of_sight_is_exit_2()
    {
        await using var world = await PublishingWorld.CreateAsync();
        using var run = Run(world, o => o with { Repository = "acme/egress-policys" });
        var error = await Assert.ThrowsAnyAsync<ReconcilerException>(() => run.ConnectToGitHubAsync(world.Token));
        Assert.Equal(ExitCodes.InvalidInput, ExitCodes.For(error));
        Assert.Contains("--repository", error.Message, StringComparison.Ordinal);
        Assert.Contains("acme/egress-policys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_that_cannot_say_whose_it_is_needs_github_login_outside_actions()
    {
        await using var world = await PublishingWorld.CreateAsync();
        world.GitHub.IntegrationToken = true;
        using var run = Run(world);
        var error = await Assert.ThrowsAnyAsync<ReconcilerException>(() => run.ConnectToGitHubAsync(world.Token));
        Assert.Equal(ExitCodes.InvalidInput, ExitCodes.For(error));
        Assert.Contains("--github-login", error.Message, StringComparison.Ordinal);

        using var named = Run(world, o => o with { GitHubLogin = "reconciler-bot" });
        await named.ConnectToGitHubAsync(world.Token);
    }

    [Fact]
    public async Task In_actions_the_workflows_token_is_github_actions_bot_and_its_items_stay_its_own()
    {
        await using var world = await PublishingWorld.CreateAsync();
        world.GitHub.IntegrationToken = true;
        world.GitHub.TokenLogin = "github-actions[bot]";
        await world.RunAsync(PublishingWorld.Start, adjust: o => o with { InGitHubActions = true });
        var items = world.GitHub.Items.Count;
        Assert.True(items >= 3, "a pull request, an issue and the dashboard");
        Assert.All(world.GitHub.Items, i => Assert.Equal("github-actions[bot]", i.Author));

        var writes = world.GitHub.Writes;
        await world.RunAsync(PublishingWorld.Start.AddHours(1), adjust: o => o with { InGitHubActions = true }); // within a tenth of stale_after: the drift memory is not saved again
        Assert.Equal(writes, world.GitHub.Writes);
        Assert.Equal(items, world.GitHub.Items.Count);
        Assert.Empty(world.GitHub.Violations);
    }
}
