using System.Text.RegularExpressions;
using Reconciler.Tests.Publishing;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary><c>dotnet cake --target=Reconcile</c> as the scheduled workflow runs it, against the fake GitHub.</summary>
public sealed partial class ReconcileEntryTests
{
    [Fact]
    public async Task Reconcile_publishes_through_the_task_graph_with_the_token_from_the_environment_only()
    {
        await using var world = await PublishingWorld.CreateAsync();
        string[] arguments =
        [
            "--target=Reconcile", $"--policies={world.Policies}", $"--out={world.Out}",
            $"--observations={await world.WriteObservationsAsync(PublishingWorld.Start)}", $"--now={PublishingWorld.Start:O}",
            $"--github-api={world.GitHub.Url}", $"--repository={FakeGitHub.Owner}/{FakeGitHub.Name}",
        ];

        var missing = await CakeProcess.RunAsync(arguments);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("GITHUB_TOKEN is not set", missing.Output, StringComparison.Ordinal);
        Assert.Empty(world.GitHub.Requests);
        Assert.DoesNotContain("policy files valid", missing.Output, StringComparison.Ordinal); // the token is checked first

        var run = await CakeProcess.RunAsync(new Dictionary<string, string> { ["GITHUB_TOKEN"] = world.Token }, arguments);
        Assert.True(run.ExitCode == 1, run.Output); // the missing address is a high finding
        Assert.Contains("opened pull request #", run.Output, StringComparison.Ordinal);
        Assert.Contains($"published to {FakeGitHub.Owner}/{FakeGitHub.Name}", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Token, run.Output, StringComparison.Ordinal);
        Assert.Single(world.GitHub.PullRequests);
        Assert.Equal(["ConnectGitHub", "Validate", "Plan", "Reconcile"], TasksRun(run.Output));
        Assert.Empty(world.GitHub.Violations);
    }

    /// <summary>The tasks in the order Cake's closing table lists them (the order they ran), without Setup and Teardown.</summary>
    private static string[] TasksRun(string output) =>
    [
        .. TaskRow().Matches(output).Select(m => m.Groups[1].Value).Where(t => t is not ("Setup" or "Teardown")),
    ];

    [GeneratedRegex(@"(?m)^\s+(\w+)\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded\s*$")]
    private static partial Regex TaskRow();
}
