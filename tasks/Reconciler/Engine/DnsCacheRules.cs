using Reconciler.Policies.Validation;
using System.Globalization;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;

namespace Reconciler.Engine;

/// <summary>
/// <c>dns-cache-too-long</c>: an identity whose runtime keeps DNS answers (<c>dns_cache_ttl</c>) longer than the TTL
/// of records it calls keeps using an address after the provider pulled it from its pool. One finding per
/// dependency the identity calls, from this run's TTLs; the memory raises it when the pool is seen to rotate,
/// that is, addresses that came or went within <c>stale_after</c>. Pure: no network.
/// </summary>
public static class DnsCacheRules
{
    /// <summary>What a host's pool did within <c>stale_after</c>, by the memory.</summary>
    /// <param name="Came">Addresses first seen after the host was first observed.</param>
    /// <param name="Went">Addresses seen within the window that this run's answers no longer hold.</param>
    public sealed record Rotation(IReadOnlyList<string> Came, IReadOnlyList<string> Went)
    {
        /// <summary>An address gone from the answers is one a cached client may still call.</summary>
        public bool Rotates => Went.Count > 0;
    }

    /// <param name="memory">The memory between runs, already holding this run's observations.</param>
    public static IEnumerable<Finding> Check(PolicySet policies, ObservationSet observations, DriftMemory memory, DateTimeOffset now)
    {
        var byHost = observations.Observations.Where(o => o.Succeeded).ToLookup(o => o.Host.ToLowerInvariant());
        foreach (var identity in policies.Identities)
        {
            if (identity.DnsCacheTtl is not { } cache)
                continue;
            foreach (var dependency in policies.Dependencies.Where(d => d.Identity == identity.Name))
            {
                if (Judge(identity, cache, dependency, byHost, memory, policies.Settings.StaleAfter, now) is { } finding)
                    yield return finding;
            }
        }
    }

    private sealed record HostView(string Host, uint Ttl, IReadOnlyList<Observation> Seen, Rotation Rotation);

    private static Finding? Judge(Identity identity, DnsCacheTtl cache, Dependency dependency, ILookup<string, Observation> byHost, DriftMemory memory, TimeSpan staleAfter, DateTimeOffset now)
    {
        var outlived = new List<HostView>();
        foreach (var host in dependency.Hosts.Select(h => h.Value.ToLowerInvariant()).Distinct())
        {
            var seen = byHost[host].Where(o => o.Addresses.Count > 0).ToList();
            if (seen.Count == 0)
                continue; // No TTL this run (failed or empty): resolution-failed speaks for it; nothing to compare.
            // A caching resolver counts TTLs down; the largest seen is the closest to the record's own.
            var ttl = seen.SelectMany(o => o.Addresses).Max(a => a.Ttl);
            if (!cache.Outlives(TimeSpan.FromSeconds(ttl)))
                continue;
            var current = seen.SelectMany(o => o.Addresses).Select(a => a.Address).ToHashSet(StringComparer.Ordinal);
            outlived.Add(new HostView(host, ttl, seen, RotationOf(memory.Find(host), current, staleAfter, now)));
        }
        if (outlived.Count == 0)
            return null;

        var rotating = outlived.Where(h => h.Rotation.Rotates).ToList();
        var severity = rotating.Count > 0 ? Severity.High : cache.Forever ? Severity.Medium : Severity.Low;
        var shortest = outlived.Min(h => h.Ttl);
        var runtime = UserAgentRules.RuntimeOf(identity.UserAgent);
        var advice = RuntimeDnsCaches.For(runtime);
        var kept = cache.Forever ? "forever" : $"for {cache.Text}";
        var ttls = string.Join(", ", outlived.Select(h => $"{h.Host} has TTL {h.Ttl} s"));
        var pool = rotating.Count == 0
            ? "The pool did not rotate within stale_after, so nothing pinned has been pulled yet."
            : "The pool rotates: " + string.Join("; ", rotating.Select(h => $"{h.Host}: {Listed(h.Rotation.Came)} came and {Listed(h.Rotation.Went)} went within {Format(staleAfter)}")) +
              ". A client that cached an address the provider pulled keeps calling it and breaks, though DNS and the allowlist are right.";
        var who = runtime is null ? "" : $" (its user agent \"{identity.UserAgent}\" says {advice.Runtime})";
        var fix = string.Format(CultureInfo.InvariantCulture, advice.Fix, shortest);
        return new Finding
        {
            Kind = FindingKind.DnsCacheTooLong,
            Severity = severity,
            Dependency = dependency.Name,
            Host = outlived.Count == 1 ? outlived[0].Host : null,
            Subject = identity.Name,
            Message = $"identity {identity.Name} keeps DNS answers {kept} (dns_cache_ttl), longer than the records it calls: {ttls}. {pool} " +
                $"What keeps them{who} is {advice.Setting}. Fix: {fix}; then set dns_cache_ttl: {shortest}s.",
            Action = FindingAction.Issue,
            Evidence = [.. outlived.SelectMany(Evidence)],
            Location = cache.Location,
        };
    }

    /// <summary>Addresses that came and went within <paramref name="staleAfter"/> of <paramref name="now"/>.</summary>
    public static Rotation RotationOf(HostMemory? memory, IReadOnlySet<string> current, TimeSpan staleAfter, DateTimeOffset now)
    {
        if (memory is null)
            return new Rotation([], []);
        var since = now - staleAfter;
        var came = memory.Addresses.Where(a => a.Value.FirstSeen > memory.ObservedSince && a.Value.FirstSeen >= since).Select(a => a.Key);
        var went = memory.Addresses.Where(a => !current.Contains(a.Key) && a.Value.LastSeen >= since).Select(a => a.Key);
        return new Rotation(Ordered(came), Ordered(went));
    }

    private static IEnumerable<Evidence> Evidence(HostView view)
    {
        foreach (var server in view.Seen.GroupBy(o => o.Server, StringComparer.Ordinal))
        {
            var answers = server.SelectMany(o => o.Addresses).GroupBy(a => a.Address, StringComparer.Ordinal)
                .Select(a => $"{a.Key} TTL {a.Max(x => x.Ttl)}").Order(StringComparer.Ordinal);
            yield return new Evidence(server.Key, $"{view.Host}: {string.Join(", ", answers)}", server.Max(o => o.At), server.SelectMany(o => o.Addresses).Max(a => a.Ttl));
        }
        if (view.Rotation.Rotates || view.Rotation.Came.Count > 0)
            yield return new Evidence("memory", $"{view.Host}: came {Listed(view.Rotation.Came)}; went {Listed(view.Rotation.Went)}");
    }

    private static List<string> Ordered(IEnumerable<string> addresses) => [.. addresses.Order(AddressOrder.Instance)];

    private static string Listed(IReadOnlyList<string> addresses) => addresses.Count == 0 ? "none" : string.Join(", ", addresses);

    private static string Format(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : $"{span.TotalMinutes:0}m";
}
