namespace Reconciler.Diagnostics;

/// <summary>One thing wrong with the policies, printed as <c>file:line:col: message</c>.</summary>
public sealed record PolicyError(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}
