namespace Reconciler.Findings;

/// <summary>Ordered: a finding at or above <c>--fail-on</c> fails the run.</summary>
public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>How a severity is written everywhere (report.json, labels, SARIF, metrics, <c>--fail-on</c>): lower case.</summary>
public static class Severities
{
    private static readonly string[] Wire = [.. Enum.GetValues<Severity>().Select(s => s.ToString().ToLowerInvariant())];

    public static string ToWire(this Severity severity) => Wire[(int)severity];

    public static IReadOnlyList<string> WireNames => Wire;

    public static bool TryParse(string wire, out Severity severity)
    {
        var at = Array.IndexOf(Wire, wire);
        severity = at < 0 ? default : (Severity)at;
        return at >= 0;
    }
}
