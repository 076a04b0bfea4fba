using System.Globalization;
using System.Net;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;

namespace Reconciler.Engine;

/// <summary>
/// The one rule behind every proposed removal (<c>stale-ip</c>, <c>provider-range-removed</c>): every host of the
/// dependency resolved in this run at every server that answered, and the memory holds successful observation of
/// each host spanning at least <c>stale_after</c> since anything inside the destination was last seen. Time in
/// which lookups failed, or no run looked, does not count (README, "What Reconciler will never do"). A host whose pool
/// rotates must also have given enough answers since that a still-served address would have shown
/// (<see cref="SamplingProof"/>, README "Rotating pools"); and nothing any declared host resolved into the destination
/// in this run is removed, whichever dependency declares the host (<see cref="DeclaredSightings"/>).
/// </summary>
public sealed class RemovalProof
{
    private readonly IReadOnlyList<(string Host, HostMemory Memory)> _hosts;
    private readonly IReadOnlyList<(IPAddress Address, DateTimeOffset LastSeen)> _sightings;
    private readonly TimeSpan _staleAfter;
    private readonly DateTimeOffset _now;
    private readonly DeclaredSightings? _declared;

    private RemovalProof(string? refused, IReadOnlyList<(string, HostMemory)> hosts, IReadOnlyList<(IPAddress, DateTimeOffset)> sightings, TimeSpan staleAfter, DateTimeOffset now, DeclaredSightings? declared)
    {
        Refused = refused;
        _declared = declared;
        _hosts = hosts;
        _sightings = sightings;
        _staleAfter = staleAfter;
        _now = now;
    }

    /// <summary>Why nothing of this dependency may be removed in this run; null when destinations can be judged.</summary>
    public string? Refused { get; }

    /// <param name="declared">Every declared host's sightings: when given, they count as this dependency's own (a host that moved still needs what it resolves to).</param>
    public static RemovalProof For(Dependency dependency, ILookup<string, Observation> thisRunByHost, DriftMemory memory, TimeSpan staleAfter, DateTimeOffset now, DeclaredSightings? declared = null)
    {
        var hosts = new List<(string, HostMemory)>();
        foreach (var host in dependency.Hosts.Select(h => h.Value.ToLowerInvariant()))
        {
            var verdict = RunVerdicts.Of(thisRunByHost[host]);
            if (verdict != RunVerdict.Resolved)
                return Refuse(verdict == RunVerdict.NotAsked ? $"{host} was not looked up in this run" : $"{host} did not resolve at every server that answered in this run");
            if (memory.Find(host) is not { } remembered)
                return Refuse($"nothing is remembered of {host}");
            hosts.Add((host, remembered));
        }
        var sightings = hosts.SelectMany(h => h.Item2.Addresses).Select(a => (IPAddress.Parse(a.Key), a.Value.LastSeen)).ToList();
        return new RemovalProof(null, hosts, sightings, staleAfter, now, declared);

        RemovalProof Refuse(string why) => new(why, [], [], staleAfter, now, declared);
    }

    /// <summary>
    /// Whether <paramref name="destination"/> is proven unused: nothing inside it seen over <c>stale_after</c> of
    /// successful observation of every host. <paramref name="evidence"/> says what the proof rests on, either way.
    /// </summary>
    public bool ProvesUnused(IPNetwork destination, out DateTimeOffset? lastSeen, out string evidence)
    {
        lastSeen = null;
        foreach (var (address, seen) in _sightings)
        {
            if (destination.Contains(address) && (lastSeen is null || seen > lastSeen))
                lastSeen = seen;
        }
        if (Refused is not null)
        {
            evidence = Refused;
            return false;
        }
        var hosts = _hosts;
        if (_declared?.Inside(destination) is var (declaredSeen, resolvedNowBy, declaredHosts))
        {
            if (resolvedNowBy is not null)
            {
                evidence = $"{resolvedNowBy} resolved into it in this run";
                return false;
            }
            if (declaredSeen is { } d && (lastSeen is null || d > lastSeen))
                lastSeen = d;
            // A host of another dependency that gave an address inside it (one that moved, say) must prove it gone as well.
            // Nobody ever saw anything inside it: a rotating pool anywhere may hold it unseen, so each must prove it has not.
            var candidates = declaredSeen is null ? declaredHosts.Concat(_declared.Rotating).Distinct(StringComparer.Ordinal) : declaredHosts;
            var others = candidates.Where(h => !_hosts.Any(own => own.Host == h) && _declared.Memory(h) is not null).ToList();
            if (others.FirstOrDefault(h => !_declared.Resolved(h)) is { } unresolved)
            {
                evidence = $"{unresolved}, which gave addresses inside it, did not resolve at every server that answered in this run";
                return false;
            }
            if (others.Count > 0)
                hosts = [.. _hosts, .. others.Select(h => (h, _declared.Memory(h)!))];
        }
        var since = lastSeen ?? DateTimeOffset.MinValue;
        var weakest = hosts.Select(h => (h.Host, Proven: h.Memory.ProvenBetween(since, _now))).MinBy(h => h.Proven);
        evidence = $"{weakest.Host}: {Days(weakest.Proven)} of successful lookups since {(lastSeen is { } l ? "it was last seen at " + l.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "the memory began")} (stale_after {Days(_staleAfter)})";
        if (weakest.Proven < _staleAfter)
            return false;
        foreach (var (host, memory) in hosts)
        {
            if (SamplingProof.Judge(host, memory, destination) is not { } sampled)
                continue;
            evidence += "; " + sampled.Describe();
            if (!sampled.Proven)
                return false;
        }
        return true;
    }

    private static string Days(TimeSpan span) =>
        span.TotalDays >= 1 ? span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture) + "d" : span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + "h";
}
