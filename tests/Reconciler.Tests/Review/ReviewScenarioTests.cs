using System.Runtime.CompilerServices;
using NJsonSchema;
using Reconciler.Diagnostics;
using Reconciler.Findings;
using Reconciler.Review;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Review;

/// <summary>
/// Pull requests that edit policies, reviewed against the base commit: the findings, the comment (compared with a
/// text fixture in Fixtures/; RECONCILER_UPDATE_FIXTURES=1 rewrites them), the annotations and the exit code.
/// </summary>
public sealed class ReviewScenarioTests
{
    public static TheoryData<string> Scenarios => ["over-broad-rule", "address-not-resolved", "removal-in-use", "rule-without-reason", "valid-change", "invalid-policy"];

    private static void Apply(ReviewWorld world, string scenario) => world.Edit(scenario switch
    {
        "over-broad-rule" => p => p.Replace("        reason: T100\n", "        reason: T100\n      - dependency: ledger\n        destinations: [192.0.0.0/9]\n        reason: T300 the ledger says its addresses may change\n", StringComparison.Ordinal),
        "address-not-resolved" => p => p.Replace("[198.51.100.7]", "[198.51.100.7, 203.0.113.99]", StringComparison.Ordinal),
        "removal-in-use" => p => p.Replace("[192.0.2.10, 192.0.2.11]", "[192.0.2.10]", StringComparison.Ordinal),
        "rule-without-reason" => p => p.Replace("        reason: T101\n", "        reason: T101\n      - dependency: billing\n        destinations: [198.51.100.8]\n", StringComparison.Ordinal),
        "valid-change" => p => p.Replace("[198.51.100.7]", "[198.51.100.7, 198.51.100.8]", StringComparison.Ordinal),
        "invalid-policy" => p => p.Replace("        reason: T101\n", "        reason: T101\n        destinatons: [198.51.100.8]\n", StringComparison.Ordinal),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    });

    private static readonly Dictionary<string, (string[] Kinds, int ExitCode, string[] Annotations)> Expected = new()
    {
        ["over-broad-rule"] = (["over-broad-rule"], ExitCodes.Ok, ["warning policies/apps.yaml:18:24 over-broad-rule (medium)"]),
        ["address-not-resolved"] = (["address-not-resolved"], ExitCodes.FindingsAtOrAboveFailOn, ["error policies/apps.yaml:18:38 address-not-resolved (high)"]),
        ["removal-in-use"] = (["removal-in-use"], ExitCodes.FindingsAtOrAboveFailOn, ["error policies/apps.yaml:14:9 removal-in-use (high)"]),
        ["rule-without-reason"] = (["rule-without-reason"], ExitCodes.Ok, ["warning policies/apps.yaml:20:9 rule-without-reason (medium)"]),
        ["valid-change"] = ([], ExitCodes.Ok, []),
        ["invalid-policy"] = ([], ExitCodes.InvalidInput, ["error policies/apps.yaml:20:9 invalid policy"]),
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task A_policy_change_gets_the_findings_comment_annotations_and_exit_code_it_deserves(string scenario)
    {
        using var world = new ReviewWorld();
        Apply(world, scenario);

        var (run, review) = await world.ReviewAsync();
        using var _ = run;

        var expected = Expected[scenario];
        Assert.Equal(expected.Kinds, review.Findings.Select(f => f.Kind.ToWire()).Order());
        Assert.Equal(expected.ExitCode, run.Exit.Code);
        var annotations = Annotations.For(review, run.RepositoryPathOf);
        Assert.Equal(expected.Annotations, annotations.Select(a => $"{a.Level.ToString().ToLowerInvariant()} {a.File}:{a.Line}:{a.Column} {a.Title}"));
        var comment = await File.ReadAllTextAsync(Path.Combine(world.Out, "review.md"));
        Assert.Equal(ReviewComment.Render(review, run.RepositoryPathOf), comment);
        AssertMatchesFixture(scenario, comment.Replace(review.BaseCommit[..7], "BASE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unchanged_rules_are_not_judged_again()
    {
        using var world = new ReviewWorld();
        // The base already has a rule without a reason and an over-broad one; the PR only adds a comment elsewhere.
        world.Edit(p => p.Replace("    ports: [443]\n  - name: billing", "    ports: [443]    # the ledger's API\n  - name: billing", StringComparison.Ordinal));
        var (run, review) = await world.ReviewAsync();
        using var _ = run;
        Assert.True(review.Changes.IsEmpty);
        Assert.Empty(review.Findings);
        Assert.Contains("Nothing in the allowlists changes.", ReviewComment.Render(review, run.RepositoryPathOf), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_is_valid_sarif_2_1_0_with_policy_file_locations()
    {
        using var world = new ReviewWorld();
        Apply(world, "address-not-resolved");
        world.Edit(p => p.Replace("        reason: T100\n", "        reason: T100\n      - dependency: ledger\n        destinations: [0.0.0.0/0]\n", StringComparison.Ordinal));
        var (run, _) = await world.ReviewAsync();
        using var __ = run;

        var sarif = await File.ReadAllTextAsync(Path.Combine(world.Out, "report.sarif"));
        var schema = await JsonSchema.FromFileAsync(Path.Combine(RepoPaths.Root, "tests", "Reconciler.Tests", "Data", "sarif", "sarif-2.1.0-rtm.5.json"));
        Assert.Empty(schema.Validate(sarif));
        using var json = System.Text.Json.JsonDocument.Parse(sarif);
        var results = json.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["address-not-resolved", "over-broad-rule", "policy-widened", "rule-without-reason"], results.Select(r => r.GetProperty("ruleId").GetString()).Order());
        Assert.All(results, r => Assert.Equal("policies/apps.yaml", r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()));

        // And the schema does refuse what is not SARIF, so the check above means something.
        Assert.NotEmpty(schema.Validate(sarif.Replace("\"version\": \"2.1.0\"", "\"version\": \"2.0\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task More_than_ten_annotations_of_a_level_are_grouped_into_the_tenth()
    {
        using var world = new ReviewWorld();
        world.Edit(p => p.Replace("[198.51.100.7]", "[198.51.100.7, " + string.Join(", ", Enumerable.Range(1, 14).Select(i => $"203.0.113.{i}")) + "]", StringComparison.Ordinal));
        var (run, review) = await world.ReviewAsync();
        using var _ = run;

        var annotations = Annotations.For(review, run.RepositoryPathOf);
        Assert.Equal(14, review.Findings.Count);
        Assert.Equal(10, annotations.Count);
        Assert.All(annotations, a => Assert.Equal(AnnotationLevel.Error, a.Level));
        Assert.Equal("5 more errors", annotations[^1].Title);
        Assert.Equal(5, annotations[^1].Message.Split(';').Length);
    }

    private static void AssertMatchesFixture(string name, string actual, [CallerFilePath] string here = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name + ".md");
        if (Environment.GetEnvironmentVariable("RECONCILER_UPDATE_FIXTURES") == "1")
            File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"no fixture {path}; run with RECONCILER_UPDATE_FIXTURES=1 once and read it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
