using Reconciler.Diagnostics;
using Reconciler.Review;

namespace Reconciler.Run;

/// <summary>
/// Everything a run shows the job it runs in: its log, the job's step summary (Markdown) and annotations at policy
/// files' lines. The Cake script implements it with Cake's log and GitHub Actions commands; <see cref="RunHost.For"/>
/// decides whether the summary and annotations reach those commands or the log.
/// </summary>
public interface IRunHost : IRunLog
{
    /// <summary>The job's summary page (on GitHub Actions, <c>GITHUB_STEP_SUMMARY</c>).</summary>
    void SetStepSummary(string markdown);

    /// <summary>An annotation that fails the check (GitHub shows it on the pull request's diff).</summary>
    void Error(Annotation annotation);

    /// <summary>An annotation that does not fail the check.</summary>
    void Warning(Annotation annotation);
}
