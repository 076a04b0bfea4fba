using Reconciler.Diagnostics;
using Reconciler.Review;

namespace Reconciler.Run;

/// <summary>
/// How a run's summary and annotations reach people: on GitHub Actions through the job's own commands; anywhere else
/// an annotation is a log line as a compiler prints an error, and the summary stays in the report files (report.md,
/// review.md), which hold the same text. Either way every message and annotation passes <see cref="LogText.Line"/>.
/// </summary>
public static class RunHost
{
    /// <summary>GitHub sets <c>GITHUB_ACTIONS=true</c> in every step of a workflow (Cake's GitHub Actions provider reads the same).</summary>
    public static bool OnGitHubActions(Func<string, string?> environment) =>
        string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The host itself on GitHub Actions; elsewhere the host's log, with annotations as lines and no summary.</summary>
    public static IRunHost For(IRunHost host, Func<string, string?> environment) =>
        Escaping(OnGitHubActions(environment) ? host : new OffGitHubActions(host));

    /// <summary>
    /// The host with every message and every annotation's file, title and text made one line that no runner reads as
    /// a command (<see cref="LogText.Line"/>): the one way text reaches the log, whatever the verbosity.
    /// </summary>
    public static IRunHost Escaping(IRunHost host) => host as EscapingHost ?? new EscapingHost(host);

    /// <summary>Each annotation at its level, in order.</summary>
    public static void Annotate(this IRunHost host, IEnumerable<Annotation> annotations)
    {
        foreach (var annotation in annotations)
        {
            if (annotation.Level == AnnotationLevel.Error)
                host.Error(annotation);
            else
                host.Warning(annotation);
        }
    }

    /// <summary>A terminal or a CI other than GitHub Actions: nothing reads workflow commands or a step summary there.</summary>
    private sealed class OffGitHubActions(IRunHost host) : IRunHost
    {
        public void Information(string message) => host.Information(message);
        public void Warning(string message) => host.Warning(message);
        public void Error(string message) => host.Error(message);
        public void Verbose(string message) => host.Verbose(message);
        public void SetStepSummary(string markdown)
        {
        }

        // Information, not Error or Warning: the exit line says whether the run failed; these say where to look.
        public void Error(Annotation annotation) => host.Information(annotation.LogLine);
        public void Warning(Annotation annotation) => host.Information(annotation.LogLine);
    }

    private sealed class EscapingHost(IRunHost host) : IRunHost
    {
        public void Information(string message) => host.Information(LogText.Line(message));
        public void Warning(string message) => host.Warning(LogText.Line(message));
        public void Error(string message) => host.Error(LogText.Line(message));
        public void Verbose(string message) => host.Verbose(LogText.Line(message));

        // Markdown, not log: its escaping is Files/Markdown's, done where the summary is written.
        public void SetStepSummary(string markdown) => host.SetStepSummary(markdown);
        public void Error(Annotation annotation) => host.Error(Escaped(annotation));
        public void Warning(Annotation annotation) => host.Warning(Escaped(annotation));

        private static Annotation Escaped(Annotation a) =>
            a with { File = LogText.Line(a.File), Title = LogText.Line(a.Title), Message = LogText.Line(a.Message) };
    }
}
