using System.Text;
using System.Text.RegularExpressions;
using Reconciler.Files;
using Reconciler.Planning;

namespace Reconciler.Publishing;

/// <summary>One open item on the dashboard: a link to it, and what it is.</summary>
public sealed record DashboardEntry(string Link, string Title);

/// <summary>
/// The dashboard issue, like Renovate's Dependency Dashboard: all open drift in one place, with links, plus what waits
/// (over the run's limits), what is left to people, and the changes people closed without merging, each with a box
/// to tick to have it proposed again. Its text holds no time, so an unchanged world leaves it unchanged. The bot
/// writes only between its two markers: what a person writes above or below them stays.
/// </summary>
public static partial class Dashboard
{
    public const string Title = "Reconciler dashboard";
    public const string Begin = "<!-- reconciler:dashboard-begin -->";

    /// <summary>Keeps the body well under GitHub's 65,536 characters, however large the estate.</summary>
    private const int ItemsPerSection = 150;

    /// <param name="unrouted">Owners the forge refused to route an item to, one line each.</param>
    /// <param name="forge">The forge's name (<see cref="IForge.Name"/>).</param>
    public static string Render(
        IReadOnlyList<DashboardEntry> pullRequests,
        IReadOnlyList<DashboardEntry> issues,
        PublishDecision decision,
        IReadOnlyList<PlannedPullRequest> notProposed,
        IReadOnlyList<string>? unrouted = null,
        string forge = "GitHub")
    {
        unrouted ??= [];
        var body = new StringBuilder();
        body.AppendLine(Begin);
        body.AppendLine("This issue lists the drift Reconciler sees between the allowlists in `policies/` and the world. Reconciler rewrites the part between its markers on every run; write above or below them.").AppendLine();
        Section(body, "Open pull requests", pullRequests.Select(p => $"{p.Link} {Markdown.Text(p.Title)}"));
        Section(body, "Open issues", issues.Select(i => $"{i.Link} {Markdown.Text(i.Title)}"));
        Section(body, "Closed without merging: tick a box to have it proposed again", decision.DeclinedChanges.OrderBy(d => d.Planned.Branch, StringComparer.Ordinal).Select(d =>
            $"[{(d.Ticked ? "x" : " ")}] {RetryMarker(d.Planned.Branch, d.Change)} {Markdown.Code(d.Planned.Branch)}: {Markdown.Text(d.Planned.Title)}{(d.Number is { } n ? $" (#{n})" : "")}"));
        Section(body, "Waiting (over this run's limit of new pull requests; opened on later runs)", decision.WaitingPullRequests.Select(p => $"{Markdown.Code(p.Branch)}: {Markdown.Text(p.Title)}"));
        Section(body, "Waiting (over this run's limit of new issues; opened on later runs)", decision.WaitingIssues.Select(i => Markdown.Text(i.Title)));
        Section(body, "Not proposed (the edit would not validate)", notProposed.Select(p => $"{Markdown.Code(p.Branch)}: {Markdown.Text(p.Failure ?? "")}"));
        Section(body, $"Not routed: {forge} refused these owners, so Reconciler does not ask them again (check `owner:` and their access to the repository)", unrouted);
        Section(body, "Left to people", decision.LeftToPeople);
        if (pullRequests.Count + issues.Count + decision.DeclinedChanges.Count + decision.WaitingPullRequests.Count + decision.WaitingIssues.Count + notProposed.Count + unrouted.Count + decision.LeftToPeople.Count == 0)
            body.AppendLine("No open drift.").AppendLine();
        body.Append(Markers.Dashboard);
        return body.ToString();
    }

    /// <summary>The dashboard's new body: the bot's part replaced, and what a person wrote around it kept.</summary>
    public static string Compose(string? existing, string rendered)
    {
        if (existing is null)
            return rendered + "\n";
        var text = existing.ReplaceLineEndings("\n");
        var end = text.IndexOf(Markers.Dashboard, StringComparison.Ordinal);
        if (end < 0)
            return rendered + "\n";
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var before = begin >= 0 && begin < end ? text[..begin] : "";
        var after = text[(end + Markers.Dashboard.Length)..];
        return before + rendered + (after.Length == 0 ? "\n" : after);
    }

    /// <summary>The changes whose box a person ticked: (branch, change) as each line's hidden marker names them.</summary>
    public static IReadOnlySet<(string Branch, string Change)> TickedRetries(string? body) =>
        body is null ? new HashSet<(string, string)>() : Ticked().Matches(body).Select(m => (m.Groups["branch"].Value, m.Groups["change"].Value)).ToHashSet();

    public static string RetryMarker(string branch, string change) => $"<!-- reconciler:retry branch={branch} change={change} -->";

    private static void Section(StringBuilder body, string heading, IEnumerable<string> lines)
    {
        var items = lines.ToList();
        if (items.Count == 0)
            return;
        body.AppendLine($"## {heading} ({items.Count})").AppendLine();
        foreach (var item in items.Take(ItemsPerSection))
            body.AppendLine($"- {item}");
        if (items.Count > ItemsPerSection)
            body.AppendLine($"- and {items.Count - ItemsPerSection} more");
        body.AppendLine();
    }

    [GeneratedRegex(@"(?m)^[ \t]*[-*+] \[[xX]\] <!-- reconciler:retry branch=(?<branch>\S+) change=(?<change>[0-9a-f]+) -->")]
    private static partial Regex Ticked();
}
