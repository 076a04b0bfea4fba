namespace Reconciler.Diagnostics;

/// <summary>A place in a policy file, 1-based, as editors and GitHub annotations expect.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
