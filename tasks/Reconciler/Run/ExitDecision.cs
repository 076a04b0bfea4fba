using Reconciler.Diagnostics;
using Reconciler.Findings;
using Reconciler.Review;

namespace Reconciler.Run;

/// <summary>
/// How a run ends and why, for its last line (<c>exit 1: 3 findings at or above high</c>; README "Arguments"). Every
/// rule that picks a code is here, over what a target concluded; the run keeps only the last target's decision.
/// </summary>
public sealed record ExitDecision(int Code, string Reason)
{
    /// <summary>Nothing ran that decides (Help, or a run not made).</summary>
    public static ExitDecision Done { get; } = new(ExitCodes.Ok, "done");

    /// <summary>Validate and Render: the policies loaded (an invalid one stopped the run with its exception).</summary>
    public static ExitDecision PoliciesValid { get; } = new(ExitCodes.Ok, "the policies are valid");

    /// <summary>An exception that stopped the run: ours carry their code, anything else is the run's own failure.</summary>
    public static ExitDecision Of(Exception stopped) => new(ExitCodes.For(stopped), ExitCodes.Describe(stopped));

    /// <summary>Plan and Reconcile: the findings against <c>--fail-on</c>, or a merged report's.</summary>
    public static ExitDecision Of(PlanOutcome outcome, Severity failOn)
    {
        return outcome.MergedReport is null ? Findings(outcome.Report.Findings, failOn) : MergedFindings(outcome.Report.Findings, failOn);
    }

    /// <summary>
    /// Reconcile <c>--report</c>: Merge told the findings; this run only says whether they block, and when they do not,
    /// ends on the validation's line as it always has.
    /// </summary>
    public static ExitDecision MergedFindings(IReadOnlyList<Finding> findings, Severity failOn)
    {
        var blocking = findings.Count(f => f.Severity >= failOn);
        return blocking > 0
            ? new(ExitCodes.FindingsAtOrAboveFailOn, $"{blocking} findings of the merged report at or above {failOn.ToWire()}")
            : PoliciesValid;
    }

    /// <summary>Review: policies that do not validate are exit 2; otherwise the findings of the change.</summary>
    public static ExitDecision Of(ReviewResult review) =>
        review.Errors.Count > 0
            ? new(ExitCodes.InvalidInput, $"the policies do not validate ({review.Errors.Count} error{(review.Errors.Count == 1 ? "" : "s")})")
            : Findings(review.Findings, review.FailOn);

    /// <summary>The findings of a report (Plan, Review, Merge) against <c>--fail-on</c>, the three most common kinds named.</summary>
    public static ExitDecision Findings(IReadOnlyList<Finding> findings, Severity failOn)
    {
        var blocking = findings.Where(f => f.Severity >= failOn).ToList();
        if (blocking.Count == 0)
            return new(ExitCodes.Ok, findings.Count == 0 ? "no findings" : $"no findings at or above {failOn.ToWire()} ({findings.Count} below it)");
        var kinds = blocking.GroupBy(f => f.Kind.ToWire()).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}");
        var more = blocking.GroupBy(f => f.Kind).Count() > 3 ? ", …" : "";
        return new(ExitCodes.FindingsAtOrAboveFailOn, $"{Count(blocking.Count, "finding", "findings")} at or above {failOn.ToWire()} ({string.Join(", ", kinds.Take(3))}{more})");
    }

    /// <summary>Import: what was drafted, and the next command.</summary>
    public static ExitDecision Imported(IReadOnlyList<string> written, string policies) =>
        new(ExitCodes.Ok, written.Count == 0 ? "nothing to draft" : $"drafted {written.Count} policy file{(written.Count == 1 ? "" : "s")} into {policies}; next: dotnet cake --target=Validate --policies={policies}");

    /// <summary>RefreshProviders: it fails (exit 3) only when no feed refreshed; a feed kept as it was is said.</summary>
    public static ExitDecision Refreshed(IReadOnlyList<string> refreshed, IReadOnlyList<string> failed, string snapshot)
    {
        if (refreshed.Count == 0)
            return new(ExitCodes.RunFailed, $"no feed refreshed ({string.Join(", ", failed)} failed); {snapshot} was not changed");
        return new(ExitCodes.Ok, failed.Count == 0 ? "every feed refreshed" : $"refreshed {string.Join(", ", refreshed)}; {string.Join(", ", failed)} kept as they were");
    }

    private static string Count(int n, string one, string many) => $"{n:N0} {(n == 1 ? one : many)}";
}
