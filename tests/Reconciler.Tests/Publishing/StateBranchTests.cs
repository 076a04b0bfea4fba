using Reconciler.GitHub;
using Reconciler.Memory;
using Reconciler.Publishing;
using Reconciler.Tests.Engine;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Publishing;

/// <summary>The memory on the state branch: a run that lost the race reads the winner's memory, joins it and saves again.</summary>
public sealed class StateBranchTests
{
    private static async Task<(FakeGitHub GitHub, HttpClient Http, GitHubClient Client)> StartAsync()
    {
        var token = "ghs_" + Guid.NewGuid().ToString("N");
        var github = await FakeGitHub.StartAsync(token, new Dictionary<string, string> { ["policies/p.yaml"] = "dependencies: []\n" });
        var http = new HttpClient();
        return (github, http, new GitHubClient(new GitHubConnection(http, github.Url, token, retry: new GitHubRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5) }), FakeGitHub.Owner, FakeGitHub.Name));
    }

    private static string StateOn(FakeGitHub github) =>
        github.Blobs[github.Trees[github.Commits[github.Refs["refs/heads/" + StateBranch.DefaultName]].Tree][StateBranch.FileName]];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_runs_that_saved_from_the_same_head_both_keep_their_observations(bool branchExistedBefore)
    {
        var (github, http, client) = await StartAsync();
        await using var _ = github;
        using var __ = http;
        if (branchExistedBefore)
            await new StateBranch(new GitHubForge(client), TimeProvider.System).SaveAsync(DriftMemory.Empty, DriftMemory.Empty, TimeSpan.Zero, CancellationToken.None);
        var first = new StateBranch(new GitHubForge(client), TimeProvider.System);
        var second = new StateBranch(new GitHubForge(client), TimeProvider.System);
        var loaded = (await first.LoadAsync(CancellationToken.None)).Memory;
        await second.LoadAsync(CancellationToken.None);

        Assert.True(await first.SaveAsync(loaded, loaded.Remember(DriftEngineTests.Observations(["a.example.test A Answer 192.0.2.1"]), DriftEngineTests.Now), TimeSpan.Zero, CancellationToken.None));
        Assert.True(await second.SaveAsync(loaded, loaded.Remember(DriftEngineTests.Observations(["b.example.test A Answer 192.0.2.2"]), DriftEngineTests.Now), TimeSpan.Zero, CancellationToken.None));

        var (saved, problem) = DriftMemory.FromJson(StateOn(github));
        Assert.Null(problem);
        Assert.Equal(["a.example.test", "b.example.test"], saved.Hosts.Keys);
        Assert.Empty(github.Violations);
    }

    [Fact]
    public async Task A_damaged_state_on_the_branch_is_read_as_empty_and_kept_beside_the_new_one()
    {
        var (github, http, client) = await StartAsync();
        await using var _ = github;
        using var __ = http;
        await new StateBranch(new GitHubForge(client), TimeProvider.System).SaveAsync(DriftMemory.Empty, DriftMemory.Empty, TimeSpan.Zero, CancellationToken.None);
        // Someone pushed a half-written file to the branch.
        var tree = await client.Git.CreateTreeAsync(null, new Dictionary<string, string> { [StateBranch.FileName] = "{\"schemaVersion\": 2, \"hosts\": {\"a" }, CancellationToken.None);
        var head = (await client.Git.GetBranchAsync(StateBranch.DefaultName, CancellationToken.None))!.Target.Sha;
        var commit = await client.Git.CreateCommitAsync("by hand", tree.Sha, head, CancellationToken.None);
        await client.Git.MoveBranchAsync(StateBranch.DefaultName, commit.Sha, CancellationToken.None, force: false);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 6, 30, 0, TimeSpan.Zero));
        var store = new StateBranch(new GitHubForge(client), clock);

        var read = await store.LoadAsync(CancellationToken.None);
        await store.SaveAsync(read.Memory, read.Memory, TimeSpan.FromDays(1), CancellationToken.None);

        Assert.True(read.Damaged);
        Assert.Empty(read.Memory.Hosts);
        Assert.EndsWith("the next save keeps it as state.json.corrupt-20261201T063000Z on the branch", read.Problem, StringComparison.Ordinal);
        var files = github.Trees[github.Commits[github.Refs["refs/heads/" + StateBranch.DefaultName]].Tree];
        Assert.Equal("{\"schemaVersion\": 2, \"hosts\": {\"a", github.Blobs[files["state.json.corrupt-20261201T063000Z"]]);
        Assert.Null(DriftMemory.FromJson(github.Blobs[files[StateBranch.FileName]]).Problem);
    }
}
