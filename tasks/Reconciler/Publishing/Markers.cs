using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Reconciler.Publishing;

/// <summary>
/// What the bot remembers about its own pull request, hidden in the PR body: which change it proposes (a hash of
/// what is added and removed), the commit it last pushed, and whether it has backed off because someone else pushed.
/// </summary>
public sealed record PullRequestMarker(string Branch, string Change, string Head, bool BackedOff)
{
    public override string ToString() =>
        $"<!-- reconciler:pull-request-state branch={Branch} change={Change} head={Head}{(BackedOff ? " backed-off" : "")} -->";
}

/// <summary>
/// What the bot remembers about an issue: the finding's fingerprint, a hash of the body without its timestamps
/// (<see cref="Revision"/>: the body is rewritten when it changes), and the severity and a hash of the evidence
/// (<see cref="Material"/>: a comment is added only when these change), and whether the bot closed it.
/// </summary>
public sealed record IssueMarker(string Fingerprint, string Dependency, string Revision, string Material, string Severity, bool Resolved)
{
    public override string ToString() =>
        $"<!-- reconciler:issue-state fingerprint={Fingerprint} dependency={Dependency} revision={Revision} material={Material} severity={Severity}{(Resolved ? " resolved" : "")} -->";
}

public static partial class Markers
{
    public const string Dashboard = "<!-- reconciler:dashboard -->";
    /// <summary>The git trailer on every commit the bot makes; its value is the change the commit proposes.</summary>
    public const string ChangeTrailer = "Reconciler-Change:";

    public static PullRequestMarker? PullRequest(string? body) =>
        body is not null && PullRequestPattern().Match(body) is { Success: true } m
            ? new PullRequestMarker(m.Groups["branch"].Value, m.Groups["change"].Value, m.Groups["head"].Value, m.Groups["off"].Success)
            : null;

    public static IssueMarker? Issue(string? body) =>
        body is not null && IssuePattern().Match(body) is { Success: true } m
            ? new IssueMarker(m.Groups["fp"].Value, m.Groups["dep"].Value, m.Groups["rev"].Value, m.Groups["mat"].Value, m.Groups["sev"].Value, m.Groups["res"].Success)
            : null;

    public static bool IsDashboard(string? body) => body?.Contains(Dashboard, StringComparison.Ordinal) == true;

    /// <summary>The change a commit message names in its trailer, or null for a commit the bot did not make.</summary>
    public static string? ChangeOfCommit(string message) =>
        TrailerPattern().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Replaces the body's marker of this kind (or appends one).</summary>
    public static string WithMarker(string body, string marker)
    {
        var without = AnyStateMarker().Replace(body, "").TrimEnd();
        return without + "\n\n" + marker + "\n";
    }

    public static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    [GeneratedRegex(@"<!-- reconciler:pull-request-state branch=(?<branch>\S+) change=(?<change>[0-9a-f]+) head=(?<head>[0-9a-f]*)(?<off> backed-off)? -->")]
    private static partial Regex PullRequestPattern();

    [GeneratedRegex(@"<!-- reconciler:issue-state fingerprint=(?<fp>[0-9a-f]+) dependency=(?<dep>[a-z0-9-]+) revision=(?<rev>[0-9a-f]+) material=(?<mat>[0-9a-f]+) severity=(?<sev>[a-z]+)(?<res> resolved)? -->")]
    private static partial Regex IssuePattern();

    [GeneratedRegex(@"\n*<!-- reconciler:(pull-request|issue)-state [^>]*-->\n?")]
    private static partial Regex AnyStateMarker();

    [GeneratedRegex(@"(?m)^Reconciler-Change: ([0-9a-f]+)\s*$")]
    private static partial Regex TrailerPattern();
}
