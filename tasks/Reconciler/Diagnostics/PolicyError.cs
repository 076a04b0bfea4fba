namespace Reconciler.Diagnostics;

/// <summary>One thing wrong with the policies, printed as <c>file:line:col: message</c>.</summary>
public sealed record PolicyError(SourceLocation Location, string Message)
{
    /// <summary>Values quoted in a message keep their control characters as \u escapes: a log line stays one line.</summary>
    public string Message { get; init; } = ControlCharacters.Escape(Message);

    public override string ToString() => $"{Location}: {Message}";
}
