using Reconciler.Review;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Run;

/// <summary>
/// What a run shows where: on GitHub Actions the job's commands carry the summary and the annotations; anywhere else
/// the log carries the annotations as compiler-style lines and the summary stays in the report files.
/// </summary>
public sealed class RunHostTests
{
    private static readonly Annotation Failing = new(AnnotationLevel.Error, "policies/apps.yaml", 18, 38, "address-not-resolved (high)", "203.0.113.99 is not an address billing resolves to");
    private static readonly Annotation Advice = new(AnnotationLevel.Warning, "policies/apps.yaml", 15, 48, "over-broad-rule (medium)", "192.0.0.0/12 admits 1,048,576 addresses");

    private static Func<string, string?> Environment(string? githubActions) =>
        name => name == "GITHUB_ACTIONS" ? githubActions : null;

    public sealed record Row(string Situation, string? GitHubActions, string[] Shown)
    {
        public override string ToString() => Situation;
    }

    /// <summary>Each row: GITHUB_ACTIONS, then what the host showed for one log line, one summary and two annotations.</summary>
    public static TheoryData<Row> Rows() =>
    [
        new Row("on GitHub Actions the job's commands show the summary and annotations", "true",
            ["information: 2 findings", "summary: # Review", "error annotation: policies/apps.yaml:18:38 address-not-resolved (high)", "warning annotation: policies/apps.yaml:15:48 over-broad-rule (medium)"]),
        new Row("GitHub's value in another case is still GitHub Actions", "True",
            ["information: 2 findings", "summary: # Review", "error annotation: policies/apps.yaml:18:38 address-not-resolved (high)", "warning annotation: policies/apps.yaml:15:48 over-broad-rule (medium)"]),
        new Row("in a terminal annotations are log lines and the summary is not shown", null,
            ["information: 2 findings",
             "information: policies/apps.yaml:18:38: error: address-not-resolved (high): 203.0.113.99 is not an address billing resolves to",
             "information: policies/apps.yaml:15:48: warning: over-broad-rule (medium): 192.0.0.0/12 admits 1,048,576 addresses"]),
        new Row("GITHUB_ACTIONS=false is not GitHub Actions", "false",
            ["information: 2 findings",
             "information: policies/apps.yaml:18:38: error: address-not-resolved (high): 203.0.113.99 is not an address billing resolves to",
             "information: policies/apps.yaml:15:48: warning: over-broad-rule (medium): 192.0.0.0/12 admits 1,048,576 addresses"]),
        new Row("an empty GITHUB_ACTIONS is not GitHub Actions", "",
            ["information: 2 findings",
             "information: policies/apps.yaml:18:38: error: address-not-resolved (high): 203.0.113.99 is not an address billing resolves to",
             "information: policies/apps.yaml:15:48: warning: over-broad-rule (medium): 192.0.0.0/12 admits 1,048,576 addresses"]),
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void The_environment_decides_whether_the_job_or_the_log_shows_summary_and_annotations(Row row)
    {
        var recorded = new CollectingLog();
        var host = RunHost.For(recorded, Environment(row.GitHubActions));

        host.Information("2 findings");
        host.SetStepSummary("# Review");
        host.Annotate([Failing, Advice]);

        Assert.Equal(row.Shown, recorded.Shown);
    }

    [Fact]
    public void Every_log_level_passes_through_off_GitHub_Actions()
    {
        var recorded = new CollectingLog();
        var host = RunHost.For(recorded, Environment(null));

        host.Information("i");
        host.Warning("w");
        host.Error("e");
        host.Verbose("v");

        Assert.Equal(["information: i", "warning: w", "error: e", "verbose: v"], recorded.Shown);
    }

    [Fact]
    public void Annotations_keep_their_order_and_each_goes_to_its_level()
    {
        var recorded = new CollectingLog();

        recorded.Annotate([Advice, Failing, Advice with { Line = 20 }]);

        Assert.Equal(
            ["warning annotation: policies/apps.yaml:15:48 over-broad-rule (medium)", "error annotation: policies/apps.yaml:18:38 address-not-resolved (high)", "warning annotation: policies/apps.yaml:20:48 over-broad-rule (medium)"],
            recorded.Shown);
    }
}
