using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Reconciler.Publishing;

/// <summary>
/// What the bot remembers about its own pull request, hidden in the PR body: which change it proposes (a hash of
/// what is added and removed), the commit it last pushed, and whether it has backed off because someone else pushed.
/// </summary>
/// <remarks><see cref="Routing"/>: whom the bot has asked to review (or the forge refused), so that nobody is asked twice.</remarks>
public sealed record PullRequestMarker(string Branch, string Change, string Head, bool BackedOff, Routing? Routing = null)
{
    public Routing Routed => Routing ?? Routing.None;

    public override string ToString() =>
        $"<!-- reconciler:pull-request-state branch={Markers.Escape(Branch)} change={Change} head={Head}{(BackedOff ? " backed-off" : "")}{Routed} -->";
}

/// <summary>Handles the bot routed an item to (<see cref="Asked"/>) and those the forge refused (<see cref="Refused"/>): each is tried once.</summary>
public sealed record Routing(string Asked, string Refused)
{
    public static Routing None { get; } = new("", "");

    public bool Tried(string handle) => Has(Asked, handle) || Has(Refused, handle);

    public Routing WithAsked(string handle) => this with { Asked = Add(Asked, handle) };

    public Routing WithRefused(string handle) => this with { Refused = Add(Refused, handle) };

    public IEnumerable<string> RefusedHandles => Refused.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => (Asked.Length > 0 ? " asked=" + Asked : "") + (Refused.Length > 0 ? " refused=" + Refused : "");

    private static bool Has(string list, string handle) => list.Split(',').Contains(handle, StringComparer.OrdinalIgnoreCase);

    private static string Add(string list, string handle) =>
        Has(list, handle) ? list : string.Join(',', list.Split(',', StringSplitOptions.RemoveEmptyEntries).Append(handle).Order(StringComparer.Ordinal));

    internal static Routing? Of(System.Text.RegularExpressions.Match m) =>
        m.Groups["asked"].Success || m.Groups["refused"].Success ? new Routing(m.Groups["asked"].Value, m.Groups["refused"].Value) : null;
}

/// <summary>
/// What the bot remembers about an issue: the finding's fingerprint, a hash of the body without its timestamps
/// (<see cref="Revision"/>: the body is rewritten when it changes), and the severity and a hash of the evidence
/// (<see cref="Material"/>: a comment is added only when these change), and whether the bot closed it.
/// </summary>
public sealed record IssueMarker(string Fingerprint, string Dependency, string Revision, string Material, string Severity, bool Resolved, Routing? Routing = null)
{
    public Routing Routed => Routing ?? Routing.None;

    public override string ToString() =>
        $"<!-- reconciler:issue-state fingerprint={Fingerprint} dependency={Markers.Escape(Dependency)} revision={Revision} material={Material} severity={Severity}{(Resolved ? " resolved" : "")}{Routed} -->";
}

public static partial class Markers
{
    public const string Dashboard = "<!-- reconciler:dashboard -->";
    /// <summary>The git trailer on every commit the bot makes; its value is the change the commit proposes.</summary>
    public const string ChangeTrailer = "Reconciler-Change:";

    public static PullRequestMarker? PullRequest(string? body) =>
        body is not null && PullRequestPattern().Match(body) is { Success: true } m
            ? new PullRequestMarker(Uri.UnescapeDataString(m.Groups["branch"].Value), m.Groups["change"].Value, m.Groups["head"].Value, m.Groups["off"].Success, Routing.Of(m))
            : null;

    public static IssueMarker? Issue(string? body) =>
        body is not null && IssuePattern().Match(body) is { Success: true } m
            ? new IssueMarker(m.Groups["fp"].Value, Uri.UnescapeDataString(m.Groups["dep"].Value), m.Groups["rev"].Value, m.Groups["mat"].Value, m.Groups["sev"].Value, m.Groups["res"].Success, Routing.Of(m))
            : null;

    /// <summary>
    /// A name as a marker holds it: RFC 3986's unreserved characters as they are (so a plain dependency name reads as
    /// itself), anything else (<c>*</c> for every dependency, spaces, <c>--&gt;</c>) percent-encoded, so it reads back.
    /// </summary>
    public static string Escape(string name) => Uri.EscapeDataString(name);

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

    private const string RoutingPattern = @"(?: asked=(?<asked>[A-Za-z0-9@/,._-]+))?(?: refused=(?<refused>[A-Za-z0-9@/,._-]+))?";

    [GeneratedRegex(@"<!-- reconciler:pull-request-state branch=(?<branch>\S+) change=(?<change>[0-9a-f]+) head=(?<head>[0-9a-f]*)(?<off> backed-off)?" + RoutingPattern + @" -->")]
    private static partial Regex PullRequestPattern();

    [GeneratedRegex(@"<!-- reconciler:issue-state fingerprint=(?<fp>[0-9a-f]+) dependency=(?<dep>[A-Za-z0-9%._~-]+) revision=(?<rev>[0-9a-f]+) material=(?<mat>[0-9a-f]+) severity=(?<sev>[a-z]+)(?<res> resolved)?" + RoutingPattern + @" -->")]
    private static partial Regex IssuePattern();

    [GeneratedRegex(@"\n*<!-- reconciler:(pull-request|issue)-state [^>]*-->\n?")]
    private static partial Regex AnyStateMarker();

    [GeneratedRegex(@"(?m)^Reconciler-Change: ([0-9a-f]+)\s*$")]
    private static partial Regex TrailerPattern();
}
