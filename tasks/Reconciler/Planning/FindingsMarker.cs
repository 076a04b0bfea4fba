using System.Text;
using Reconciler.Findings;

namespace Reconciler.Planning;

/// <summary>
/// The fingerprints of the findings a pull request or issue carries, hidden in its body one to a line, so that a
/// finding of report.json is found on GitHub by its fingerprint (README "Publishing (Reconcile)").
/// </summary>
public static class FindingsMarker
{
    public const string Opening = "<!-- reconciler:findings";

    public static string Of(IEnumerable<Finding> findings)
    {
        var text = new StringBuilder(Opening).Append('\n');
        foreach (var fingerprint in findings.Select(f => f.Fingerprint).Distinct().Order(StringComparer.Ordinal))
            text.Append(fingerprint).Append('\n');
        return text.Append("-->\n").ToString();
    }

    /// <summary>The fingerprints a body lists; none when it has no such marker.</summary>
    public static IReadOnlyList<string> Read(string? body)
    {
        var start = body?.IndexOf(Opening, StringComparison.Ordinal) ?? -1;
        if (start < 0)
            return [];
        var end = body!.IndexOf("-->", start, StringComparison.Ordinal);
        return [.. body[(start + Opening.Length)..(end < 0 ? body.Length : end)].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
