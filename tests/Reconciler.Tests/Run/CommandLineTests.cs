using Reconciler.Observe;
using Reconciler.Diagnostics;
using Reconciler.Run;
using Reconciler.Tests.Review;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Run;

/// <summary>
/// What build/*.cake no longer decides: which run a command line asks for, what it shows on GitHub Actions and off
/// it, and the last line that says how the run ends.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private static readonly DateTimeOffset Clock = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-commandline-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>The command line as Cake holds it: each name with its values.</summary>
    private static Dictionary<string, ICollection<string>> Arguments(params string[] given) =>
        given.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => (ICollection<string>)(p.Length == 1 ? [] : [p[1]]), StringComparer.OrdinalIgnoreCase);

    private static Func<string, string?> Environment(Dictionary<string, string> variables) => name => variables.GetValueOrDefault(name);

    private static readonly Dictionary<string, string> OnGitHubActions = new() { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = "/dev/null" };
    private static readonly Dictionary<string, string> InATerminal = new();

    [Fact]
    public void Help_runs_nothing_but_a_misspelt_argument_beside_it_is_still_told()
    {
        Assert.Null(CommandLine.RunFor("help", Arguments("policies=nowhere"), Environment(InATerminal), Clock, new CollectingLog()));

        var e = Assert.Throws<ReconcilerException>(() => CommandLine.RunFor("Help", Arguments("polices=x"), Environment(InATerminal), Clock, new CollectingLog()));
        Assert.Equal((ExitCodes.InvalidInput, "argument --polices: Reconciler has no such argument; did you mean --policies? (dotnet cake --target=Help lists them)"), (e.ExitCode, e.Message));
    }

    [Fact]
    public void A_name_without_a_value_is_an_empty_value_and_exit_2()
    {
        var e = Assert.Throws<ReconcilerException>(() => CommandLine.RunFor("Render", Arguments("out"), Environment(InATerminal), Clock, new CollectingLog()));

        Assert.StartsWith("argument --out: the value is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_run_never_reads_the_github_token_from_the_environment()
    {
        var asked = new List<string>();
        using var run = CommandLine.RunFor("Reconcile", Arguments($"out={_scratch}"), name => { asked.Add(name); return null; }, Clock, new CollectingLog());

        Assert.NotNull(run);
        Assert.DoesNotContain("GITHUB_TOKEN", asked);
        Assert.Contains("GITHUB_ACTIONS", asked);
    }

    [Fact]
    public async Task Connecting_to_GitHub_without_a_token_is_exit_2_before_any_policy_is_read()
    {
        using var run = CommandLine.RunFor("Reconcile", Arguments("policies=/nonexistent", $"out={_scratch}", "repository=o/r"), Environment(InATerminal), Clock, new CollectingLog())!;

        var e = await Assert.ThrowsAsync<ReconcilerException>(() => run.ConnectToGitHubAsync(null));

        Assert.Equal(ExitCodes.InvalidInput, e.ExitCode);
        Assert.StartsWith("GITHUB_TOKEN is not set", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitDecision.Done, run.Exit); // Validate never ran
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_review_annotates_on_GitHub_Actions_and_prints_compiler_lines_elsewhere(bool onGitHubActions)
    {
        using var world = new ReviewWorld();
        world.Edit(p => p.Replace("[198.51.100.7]", "[198.51.100.7, 203.0.113.99]", StringComparison.Ordinal));
        var host = new CollectingLog();
        using var run = CommandLine.RunFor("Review",
            Arguments($"policies={world.Policies}", "base=main", $"out={world.Out}", $"observations={await world.WriteObservationsAsync()}", $"now={ReviewWorld.Now:O}"),
            Environment(onGitHubActions ? OnGitHubActions : InATerminal), Clock, host)!;

        await run.ReviewPullRequestAsync(token: null);

        const string Line = "policies/apps.yaml:18:38: error: address-not-resolved (high): 203.0.113.99 is not an address billing resolves to";
        var review = await File.ReadAllTextAsync(Path.Combine(world.Out, "review.md"));
        if (onGitHubActions)
        {
            Assert.Equal(["policies/apps.yaml:18:38 address-not-resolved (high)"], host.Annotations.Select(a => $"{a.File}:{a.Line}:{a.Column} {a.Title}"));
            Assert.Equal([review], host.StepSummaries);
            Assert.DoesNotContain(host.Lines, l => l.StartsWith(Line, StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(host.Annotations);
            Assert.Empty(host.StepSummaries);
            Assert.Contains(host.Lines, l => l.StartsWith(Line, StringComparison.Ordinal));
        }
        Assert.StartsWith("no pull request to comment on", host.Lines[^1], StringComparison.Ordinal);
        Assert.Equal(ExitCodes.FindingsAtOrAboveFailOn, run.Exit.Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_plan_on_GitHub_Actions_makes_its_report_the_step_summary(bool onGitHubActions)
    {
        var replay = Path.Combine(_scratch, "observations.json");
        await File.WriteAllTextAsync(replay, ObservationSet.Empty(Clock).ToJson());
        var output = Path.Combine(_scratch, "out");
        var host = new CollectingLog();
        using var run = CommandLine.RunFor("Plan", Arguments($"policies={RepoPaths.Policies}", $"out={output}", $"observations={replay}", $"now={Clock:O}"),
            Environment(onGitHubActions ? OnGitHubActions : InATerminal), Clock, host)!;

        await run.PlanAsync();

        Assert.Equal(onGitHubActions ? [await File.ReadAllTextAsync(Path.Combine(output, "report.md"))] : [], host.StepSummaries);
    }

    public sealed record Ending(string Situation, string Target, Action<string> RunTarget, int ExitCode, string[] Shown)
    {
        public override string ToString() => Situation;
    }

    private static readonly string[] Targets = ["Help", "Validate", "Plan"];

    public static TheoryData<Ending> Endings() =>
    [
        new Ending("a target that ran to the end", "Validate", _ => { }, 0, ["information: exit 0: done"]),
        new Ending("any case of a target's name", "plan", _ => { }, 0, ["information: exit 0: done"]),
        new Ending("a name that is no target runs nothing", "Deploy", _ => throw new InvalidOperationException("ran"), 2,
            ["error: argument --target: 'Deploy' is not a target; use one of Help, Validate, Plan", "verbose: *", "warning: exit 2: argument --target: 'Deploy' is not a target; use one of Help, Validate, Plan"]),
        new Ending("invalid policies", "Validate", _ => throw new InvalidPolicyException([]), 2,
            ["error: 0 policy errors", "verbose: *", "warning: exit 2: 0 policy errors"]),
        new Ending("our exception inside Cake's wrappers", "Plan", _ => throw new AggregateException(new ReconcilerException(ExitCodes.RunFailed, "GitHub: GET failed")), 3,
            ["error: GitHub: GET failed", "verbose: *", "warning: exit 3: GitHub: GET failed"]),
        new Ending("any other failure is the run failing", "Plan", _ => throw new IOException("disk full"), 3,
            ["error: the run failed: IOException: disk full (--verbosity=diagnostic shows where)", "verbose: *", "warning: exit 3: the run failed: IOException: disk full (--verbosity=diagnostic shows where)"]),
    ];

    [Theory]
    [MemberData(nameof(Endings))]
    public void The_last_line_says_the_exit_code_and_why(Ending row)
    {
        var host = new CollectingLog();

        var exitCode = CommandLine.RunTarget(row.Target, Targets, row.RunTarget, () => null, host);

        Assert.Equal(row.ExitCode, exitCode);
        Assert.Equal(row.Shown, host.Shown.Select(l => l.StartsWith("verbose: ", StringComparison.Ordinal) ? "verbose: *" : l));
    }

    [Fact]
    public async Task The_last_line_of_a_run_that_found_something_is_its_exit_code_and_reason()
    {
        var policies = Directory.CreateDirectory(Path.Combine(_scratch, "broad")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "p.yaml"), "dependencies:\n  - name: a\n    hosts: [a.example]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: a\n        destinations: [0.0.0.0/0]\n");
        var replay = Path.Combine(_scratch, "observations.json");
        await File.WriteAllTextAsync(replay, ObservationSet.Empty(Clock).ToJson());
        var host = new CollectingLog();
        using var run = CommandLine.RunFor("Plan", Arguments($"policies={policies}", $"out={Path.Combine(_scratch, "out")}", $"observations={replay}"), Environment(InATerminal), Clock, host)!;

        var exitCode = CommandLine.RunTarget("Plan", Targets, _ => run.PlanAsync().GetAwaiter().GetResult(), () => run, host);

        Assert.Equal((1, "warning: exit 1: 1 finding at or above high (over-broad-rule ×1)"), (exitCode, host.Shown[^1]));
    }
}
