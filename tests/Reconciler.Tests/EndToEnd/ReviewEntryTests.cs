using Reconciler.Tests.Review;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary><c>dotnet cake --target=Review</c> as the review workflow runs it in GitHub Actions.</summary>
public sealed class ReviewEntryTests
{
    [Fact]
    public async Task In_GitHub_Actions_the_review_speaks_through_annotations_the_job_summary_and_its_exit_code()
    {
        using var world = new ReviewWorld();
        world.Edit(p => p.Replace("[198.51.100.7]", "[198.51.100.7, 203.0.113.99]", StringComparison.Ordinal)
            .Replace("[192.0.2.10, 192.0.2.11]", "[192.0.2.10, 192.0.2.11, 192.0.0.0/12]", StringComparison.Ordinal));
        var summary = Path.Combine(world.Out, "..", "step-summary.md");
        var run = await CakeProcess.RunAsync(
            new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary },
            "--target=Review", $"--policies={world.Policies}", "--base=main", $"--out={world.Out}",
            $"--observations={await world.WriteObservationsAsync()}", $"--now={ReviewWorld.Now:O}");

        Assert.True(run.ExitCode == 1, run.Output);
        var lines = run.Output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("::error title=address-not-resolved (high),file=policies/apps.yaml,line=18,col=38::203.0.113.99 is not an address billing resolves to", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("::warning title=over-broad-rule (medium),file=policies/apps.yaml,line=15,col=", StringComparison.Ordinal));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(world.Out, "review.md")), (await File.ReadAllTextAsync(summary)).TrimEnd('\n') + "\n");
        Assert.True(File.Exists(Path.Combine(world.Out, "report.sarif")));
    }

    [Fact]
    public async Task Outside_GitHub_Actions_the_annotations_are_compiler_lines_in_the_log()
    {
        using var world = new ReviewWorld();
        world.Edit(p => p.Replace("[198.51.100.7]", "[198.51.100.7, 203.0.113.99]", StringComparison.Ordinal));
        var run = await CakeProcess.RunAsync(
            new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "" },
            "--target=Review", $"--policies={world.Policies}", "--base=main", $"--out={world.Out}",
            $"--observations={await world.WriteObservationsAsync()}", $"--now={ReviewWorld.Now:O}");

        Assert.True(run.ExitCode == 1, run.Output);
        var lines = run.Output.ReplaceLineEndings("\n").Split('\n');
        Assert.Contains("policies/apps.yaml:18:38: error: address-not-resolved (high): 203.0.113.99 is not an address billing resolves to (its hosts give 198.51.100.7, 198.51.100.8) nor in its provider's published ranges; it belongs to no provider Reconciler knows of. Check that the rule names the right dependency and address", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("::", StringComparison.Ordinal));
        Assert.Equal("exit 1: 1 finding at or above high (address-not-resolved ×1)", lines.Last(l => l.Length > 0));
    }
}
