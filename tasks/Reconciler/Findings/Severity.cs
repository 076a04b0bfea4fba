namespace Reconciler.Findings;

/// <summary>Ordered: a finding at or above <c>--fail-on</c> fails the run.</summary>
public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}
