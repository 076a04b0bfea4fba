using Reconciler.Findings;

namespace Reconciler.Review;

public enum AnnotationLevel
{
    Warning,
    Error,
}

/// <summary>A workflow annotation at a policy file's line (GitHub shows it on the pull request's diff).</summary>
public sealed record Annotation(AnnotationLevel Level, string File, int Line, int Column, string Title, string Message)
{
    /// <summary>The annotation as one line of a log, as compilers print errors: <c>file:line:col: level: title: message</c>.</summary>
    public string LogLine => $"{File}:{Line}:{Column}: {(Level == AnnotationLevel.Error ? "error" : "warning")}: {Title}: {Message}";
}

public static class Annotations
{
    /// <summary>GitHub shows at most this many annotations of each level per step.</summary>
    public const int PerLevel = 10;

    /// <summary>
    /// Errors for what fails the check (validation errors, findings at or above <c>--fail-on</c>), warnings for the rest.
    /// Past the limit, the last annotation of a level stands for the rest of that level, naming where they are.
    /// </summary>
    /// <param name="repositoryPath">A policy file's path from the repository root, as GitHub names files.</param>
    public static IReadOnlyList<Annotation> For(ReviewResult review, Func<string, string> repositoryPath)
    {
        var all = review.Errors.Select(e => new Annotation(AnnotationLevel.Error, repositoryPath(e.Location.File), e.Location.Line, e.Location.Column, "invalid policy", e.Message))
            .Concat(ReviewComment.Ordered(review.Findings).Where(f => f.Location is not null).Select(f => new Annotation(
                f.Severity >= review.FailOn ? AnnotationLevel.Error : AnnotationLevel.Warning,
                repositoryPath(f.Location!.File), f.Location.Line, f.Location.Column, $"{f.Kind.ToWire()} ({f.Severity.ToWire()})", f.Message)));
        return [.. all.GroupBy(a => a.Level).OrderByDescending(g => g.Key).SelectMany(g => Limit([.. g]))];
    }

    private static List<Annotation> Limit(List<Annotation> annotations)
    {
        if (annotations.Count <= PerLevel)
            return annotations;
        var rest = annotations.Skip(PerLevel - 1).ToList();
        var grouped = rest[0] with
        {
            Title = $"{rest.Count} more {(rest[0].Level == AnnotationLevel.Error ? "errors" : "warnings")}",
            Message = $"{rest.Count} more, listed in the job summary: " + string.Join("; ", rest.Select(a => $"{a.File}:{a.Line} {a.Title}")),
        };
        return [.. annotations.Take(PerLevel - 1), grouped];
    }
}
