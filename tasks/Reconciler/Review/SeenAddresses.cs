using System.Net;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;

namespace Reconciler.Review;

/// <summary>
/// The addresses each host is known to use: what it resolved to in this run and, with the drift memory, every address
/// seen within <c>stale_after</c>. One moment's answers of a rotating pool are a sample; the memory is the pool.
/// </summary>
internal static class SeenAddresses
{
    public static Dictionary<string, List<IPAddress>> Of(PolicySet policies, ObservationSet observations, DriftMemory? memory, DateTimeOffset? now)
    {
        var seen = observations.Observations.Where(o => o.Succeeded)
            .GroupBy(o => o.Host, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.SelectMany(o => o.Addresses).Select(a => IPAddress.Parse(a.Address)).Distinct().ToList(), StringComparer.OrdinalIgnoreCase);
        if (memory is null || now is not { } at)
            return seen;
        foreach (var host in policies.Dependencies.SelectMany(d => d.Hosts).Select(h => h.Value).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var recent = memory.Find(host)?.Addresses.Where(a => at - a.Value.LastSeen < policies.Settings.StaleAfter).Select(a => IPAddress.Parse(a.Key)).ToList() ?? [];
            if (recent.Count == 0)
                continue;
            seen[host] = [.. (seen.GetValueOrDefault(host) ?? []).Concat(recent).Distinct()];
        }
        return seen;
    }
}
