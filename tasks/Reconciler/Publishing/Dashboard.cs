using System.Text;
using Reconciler.Engine;

namespace Reconciler.Publishing;

/// <summary>One open item on the dashboard: a link to it, and what it is.</summary>
public sealed record DashboardEntry(string Link, string Title);

/// <summary>
/// The dashboard issue, like Renovate's Dependency Dashboard: all open drift in one place, with links, plus what waits
/// (over the run's limits) and what is left to people. Its text holds no time, so an unchanged world leaves it unchanged.
/// </summary>
public static class Dashboard
{
    public const string Title = "Reconciler dashboard";

    /// <summary>Keeps the body well under GitHub's 65,536 characters, however large the estate.</summary>
    private const int ItemsPerSection = 150;

    public static string Render(
        IReadOnlyList<DashboardEntry> pullRequests,
        IReadOnlyList<DashboardEntry> issues,
        PublishDecision decision,
        IReadOnlyList<PlannedPullRequest> notProposed)
    {
        var body = new StringBuilder();
        body.AppendLine("This issue lists the drift Reconciler sees between the allowlists in `policies/` and the world. It is rewritten by every run.").AppendLine();
        Section(body, "Open pull requests", pullRequests.Select(p => $"{p.Link} {p.Title}"));
        Section(body, "Open issues", issues.Select(i => $"{i.Link} {i.Title}"));
        Section(body, "Waiting (over this run's limit of new pull requests; opened on later runs)", decision.WaitingPullRequests.Select(p => $"`{p.Branch}`: {p.Title}"));
        Section(body, "Waiting (over this run's limit of new issues; opened on later runs)", decision.WaitingIssues.Select(i => i.Title));
        Section(body, "Not proposed (the edit would not validate)", notProposed.Select(p => $"`{p.Branch}`: {p.Failure}"));
        Section(body, "Left to people", decision.LeftToPeople);
        if (pullRequests.Count + issues.Count + decision.WaitingPullRequests.Count + decision.WaitingIssues.Count + notProposed.Count + decision.LeftToPeople.Count == 0)
            body.AppendLine("No open drift.").AppendLine();
        body.AppendLine(Markers.Dashboard);
        return body.ToString();
    }

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
}
