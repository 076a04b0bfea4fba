namespace Reconciler.Diagnostics;

/// <summary>Who Reconciler says it is: in report.json, SARIF, and the User-Agent of its GitHub and feed requests.</summary>
public static class ToolIdentity
{
    public static string Version { get; } = typeof(ToolIdentity).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The User-Agent product token: a name and a version, as RFC 9110 asks and as partners' WAFs admit.</summary>
    public static string UserAgent => $"reconciler/{Version}";
}
