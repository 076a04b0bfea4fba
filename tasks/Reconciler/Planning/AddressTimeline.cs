using Reconciler.Policies.Validation;
using System.Globalization;
using System.Text;
using Reconciler.Memory;

namespace Reconciler.Planning;

/// <summary>
/// A Mermaid gantt chart of the addresses the memory holds for some hosts, one bar per address from first to last
/// seen, which GitHub draws in pull requests and issues: a rotating pool or a provider move is seen at a glance.
/// </summary>
public static class AddressTimeline
{
    /// <summary>Bars per chart; the most recently seen addresses are kept, and the rest are counted.</summary>
    public const int MostBars = 30;

    /// <summary>A fenced <c>mermaid</c> block, or null when the memory holds nothing for the hosts.</summary>
    public static string? Mermaid(DriftMemory memory, IReadOnlyList<string> hosts, DateTimeOffset now, string title)
    {
        var rows = hosts
            .SelectMany(h => memory.Find(h)?.Addresses.Select(a => (Host: h.ToLowerInvariant(), Address: a.Key, a.Value.FirstSeen, a.Value.LastSeen)) ?? [])
            .OrderByDescending(r => r.LastSeen).ThenBy(r => r.Address, AddressOrder.Instance)
            .ToList();
        if (rows.Count == 0)
            return null;
        var shown = rows.Take(MostBars).ToList();
        var chart = new StringBuilder();
        chart.AppendLine("```mermaid").AppendLine("gantt");
        chart.AppendLine($"    title {Text(title)}{(rows.Count > shown.Count ? $" ({shown.Count} most recent of {rows.Count})" : "")}");
        chart.AppendLine("    dateFormat YYYY-MM-DDTHH:mm").AppendLine("    axisFormat %m-%d %Hh");
        var latest = rows.Max(r => r.LastSeen);
        foreach (var host in shown.GroupBy(r => r.Host))
        {
            chart.AppendLine($"    section {Text(host.Key)}");
            foreach (var row in host.OrderBy(r => r.Address, AddressOrder.Instance))
            {
                // A bar needs a length to be drawn; an address seen once is drawn an hour long.
                var end = row.LastSeen - row.FirstSeen < TimeSpan.FromHours(1) ? row.FirstSeen.AddHours(1) : row.LastSeen;
                var tag = row.LastSeen == latest ? "active, " : "";
                chart.AppendLine($"    {Text(row.Address)} :{tag}{Time(row.FirstSeen)}, {Time(end)}");
            }
        }
        chart.AppendLine("```");
        return chart.ToString();
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    // A colon ends a gantt task's name and '#' or ';' may start a comment or an entity: an IPv6 address keeps its look with U+2236.
    private static string Text(string text) => text.Replace(":", "\u2236", StringComparison.Ordinal).Replace("#", "", StringComparison.Ordinal).Replace(";", ",", StringComparison.Ordinal);
}
