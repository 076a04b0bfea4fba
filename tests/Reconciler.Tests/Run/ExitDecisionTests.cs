using Reconciler.Diagnostics;
using Reconciler.Findings;
using Reconciler.Review;
using Reconciler.Run;

namespace Reconciler.Tests.Run;

/// <summary>
/// The one place a run's exit code and last line are decided (README "Arguments": exit codes). The reasons are the
/// very lines users and CI read, so they are pinned here word for word.
/// </summary>
public sealed class ExitDecisionTests
{
    private static Finding Of(FindingKind kind, Severity severity, int n = 0) => new()
    {
        Kind = kind, Severity = severity, Dependency = $"dep-{n}", Subject = $"192.0.2.{n}", Message = "m", Action = FindingAction.Issue,
    };

    [Fact]
    public void No_findings_is_exit_0()
    {
        Assert.Equal(new ExitDecision(0, "no findings"), ExitDecision.Findings([], Severity.High));
    }

    [Fact]
    public void Findings_below_fail_on_are_exit_0_and_counted()
    {
        var decision = ExitDecision.Findings([Of(FindingKind.StaleIp, Severity.Low), Of(FindingKind.ResolutionFailed, Severity.Medium, 1)], Severity.High);

        Assert.Equal(new ExitDecision(0, "no findings at or above high (2 below it)"), decision);
    }

    [Fact]
    public void Findings_at_or_above_fail_on_are_exit_1_naming_the_three_commonest_kinds()
    {
        Finding[] findings =
        [
            Of(FindingKind.MissingIp, Severity.High, 1), Of(FindingKind.MissingIp, Severity.High, 2), Of(FindingKind.OutsideProviderRange, Severity.Critical, 3),
            Of(FindingKind.StaleIp, Severity.High, 4), Of(FindingKind.ProbeBlocked, Severity.High, 5), Of(FindingKind.StaleIp, Severity.Low, 6),
        ];

        var decision = ExitDecision.Findings(findings, Severity.High);

        Assert.Equal(ExitCodes.FindingsAtOrAboveFailOn, decision.Code);
        Assert.StartsWith("5 findings at or above high (missing-ip ×2, ", decision.Reason, StringComparison.Ordinal);
        Assert.EndsWith(", …)", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(new ExitDecision(1, "1 finding at or above critical (outside-provider-range ×1)"), ExitDecision.Findings(findings, Severity.Critical));
    }

    [Fact]
    public void A_merged_report_blocks_by_its_own_count_and_otherwise_keeps_the_validation_line()
    {
        Finding[] findings = [Of(FindingKind.MissingIp, Severity.High, 1), Of(FindingKind.StaleIp, Severity.Low, 2)];

        Assert.Equal(new ExitDecision(1, "1 findings of the merged report at or above high"), ExitDecision.MergedFindings(findings, Severity.High));
        Assert.Equal(ExitDecision.PoliciesValid, ExitDecision.MergedFindings(findings, Severity.Critical));
    }

    [Fact]
    public void A_review_of_invalid_policies_is_exit_2_and_a_valid_one_is_judged_by_its_findings()
    {
        var error = new PolicyError(new SourceLocation("policies/a.yaml", 3, 5), "bad");
        var invalid = new ReviewResult("policies", "origin/main", "abc", new PolicyChanges([], []), [], [error], [], Severity.High);
        var blocking = invalid with { Errors = [], Findings = [Of(FindingKind.MissingIp, Severity.High)] };

        Assert.Equal(new ExitDecision(2, "the policies do not validate (1 error)"), ExitDecision.Of(invalid));
        Assert.Equal(new ExitDecision(1, "1 finding at or above high (missing-ip ×1)"), ExitDecision.Of(blocking));
    }

    [Fact]
    public void A_refresh_fails_only_when_no_feed_refreshed()
    {
        Assert.Equal(new ExitDecision(3, "no feed refreshed (aws, github failed); s.tsv was not changed"), ExitDecision.Refreshed([], ["aws", "github"], "s.tsv"));
        Assert.Equal(new ExitDecision(0, "refreshed aws; github kept as they were"), ExitDecision.Refreshed(["aws"], ["github"], "s.tsv"));
        Assert.Equal(new ExitDecision(0, "every feed refreshed"), ExitDecision.Refreshed(["aws"], [], "s.tsv"));
    }

    [Fact]
    public void An_exception_carries_its_code_and_anything_else_is_the_run_failing()
    {
        Assert.Equal(2, ExitDecision.Of(ReconcilerException.InvalidArgument("out", "x")).Code);
        Assert.Equal(3, ExitDecision.Of(new InvalidOperationException("boom")).Code);
        Assert.StartsWith("the run failed: InvalidOperationException: boom", ExitDecision.Of(new InvalidOperationException("boom")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_says_what_it_drafted_and_what_to_run_next()
    {
        Assert.Equal(new ExitDecision(0, "nothing to draft"), ExitDecision.Imported([], "p"));
        Assert.Equal(new ExitDecision(0, "drafted 1 policy file into p; next: dotnet cake --target=Validate --policies=p"), ExitDecision.Imported(["p/a.yaml"], "p"));
    }
}
