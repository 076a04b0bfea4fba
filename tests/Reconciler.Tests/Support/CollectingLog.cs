using Reconciler.Review;
using Reconciler.Run;

namespace Reconciler.Tests.Support;

/// <summary>
/// The run's host, kept in memory for tests that drive <see cref="ReconcilerRun"/> without Cake: every log line, and
/// what a GitHub Actions job would show (the step summary, annotations), in the order they came.
/// </summary>
internal sealed class CollectingLog : IRunHost
{
    public List<string> Lines { get; } = [];
    /// <summary>Each line with its level: <c>information: …</c>, <c>error: …</c>, <c>summary: …</c>, <c>error annotation: …</c>.</summary>
    public List<string> Shown { get; } = [];
    public List<string> StepSummaries { get; } = [];
    public List<Annotation> Annotations { get; } = [];

    public void Information(string message) => Log("information", message);
    public void Warning(string message) => Log("warning", message);
    public void Error(string message) => Log("error", message);
    public void Verbose(string message) => Log("verbose", message);

    public void SetStepSummary(string markdown)
    {
        StepSummaries.Add(markdown);
        Shown.Add("summary: " + markdown);
    }

    public void Error(Annotation annotation) => Annotate("error", annotation);
    public void Warning(Annotation annotation) => Annotate("warning", annotation);

    private void Log(string level, string message)
    {
        Lines.Add(message);
        Shown.Add($"{level}: {message}");
    }

    private void Annotate(string level, Annotation annotation)
    {
        Annotations.Add(annotation);
        Shown.Add($"{level} annotation: {annotation.File}:{annotation.Line}:{annotation.Column} {annotation.Title}");
    }
}
