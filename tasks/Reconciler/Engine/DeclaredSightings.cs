using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;

namespace Reconciler.Engine;

/// <summary>
/// Every address any declared host gave, whichever dependency declares it now: its last sighting, and which host
/// resolved to it in this run. Memory is kept per host, so it follows a host that moves to another dependency or
/// whose dependency is renamed; a removal from a rule checks against all of it (README, "Hosts carry memory").
/// Sorted per family, so that a prefix's sightings are one binary search away on a large estate.
/// </summary>
public sealed class DeclaredSightings
{
    private readonly record struct Sighting(UInt128 Value, DateTimeOffset LastSeen, string Host, bool ResolvedNow);

    private readonly Sighting[] _v4;
    private readonly Sighting[] _v6;
    private readonly DriftMemory _memory;

    private readonly HashSet<string> _resolved;

    private DeclaredSightings(Sighting[] v4, Sighting[] v6, DriftMemory memory, HashSet<string> resolved)
    {
        _v4 = v4;
        _v6 = v6;
        _memory = memory;
        _resolved = resolved;
    }

    /// <summary>Declared hosts whose pools rotate: any of them may serve an address nobody has seen yet.</summary>
    public IReadOnlyList<string> Rotating => _rotating ??= [.. _memory.Hosts.Where(h => h.Value.Rotates() && _declared.Contains(h.Key)).Select(h => h.Key)];

    private IReadOnlyList<string>? _rotating;
    private HashSet<string> _declared = [];

    /// <summary>Whether a declared host resolved at every server that answered in this run.</summary>
    public bool Resolved(string host) => _resolved.Contains(host);

    /// <summary>What is remembered of a declared host.</summary>
    public HostMemory? Memory(string host) => _memory.Find(host);

    public static DeclaredSightings Of(PolicySet policies, ILookup<string, Observation> thisRunByHost, DriftMemory memory)
    {
        var v4 = new List<Sighting>();
        var v6 = new List<Sighting>();
        var resolved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var host in policies.Dependencies.SelectMany(d => d.Hosts).Select(h => h.Value.ToLowerInvariant()).Distinct(StringComparer.Ordinal))
        {
            if (RunVerdicts.Of(thisRunByHost[host]) == RunVerdict.Resolved)
                resolved.Add(host);
            var now = thisRunByHost[host].Where(o => o.Succeeded).SelectMany(o => o.Addresses).Select(a => a.Address).ToHashSet(StringComparer.Ordinal);
            var remembered = memory.Find(host)?.Addresses;
            foreach (var address in now.Where(a => remembered?.ContainsKey(a) != true))
                Add(address, DateTimeOffset.MaxValue, host, true);
            foreach (var (address, seen) in remembered ?? ImmutableSortedDictionary<string, AddressMemory>.Empty)
                Add(address, seen.LastSeen, host, now.Contains(address));
        }
        v4.Sort((a, b) => a.Value.CompareTo(b.Value));
        v6.Sort((a, b) => a.Value.CompareTo(b.Value));
        return new DeclaredSightings([.. v4], [.. v6], memory, resolved)
        {
            _declared = [.. policies.Dependencies.SelectMany(d => d.Hosts).Select(h => h.Value.ToLowerInvariant())],
        };

        void Add(string address, DateTimeOffset lastSeen, string host, bool resolvedNow)
        {
            if (!IPAddress.TryParse(address, out var parsed))
                return;
            (parsed.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : v4).Add(new Sighting(Value(parsed), lastSeen, host, resolvedNow));
        }
    }

    /// <summary>
    /// The latest sighting inside <paramref name="destination"/> by any declared host, a host that resolved into it
    /// in this run, and every declared host that ever gave an address inside it.
    /// </summary>
    public (DateTimeOffset? LastSeen, string? ResolvedNowBy, IReadOnlyList<string> Hosts) Inside(IPNetwork destination)
    {
        var sightings = destination.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? _v6 : _v4;
        var bits = destination.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var first = Value(destination.BaseAddress);
        var last = destination.PrefixLength == 0 ? (bits == 128 ? UInt128.MaxValue : uint.MaxValue) : first + ((UInt128.One << (bits - destination.PrefixLength)) - 1);
        DateTimeOffset? latest = null;
        string? by = null;
        List<string>? hosts = null;
        for (var i = LowerBound(sightings, first); i < sightings.Length && sightings[i].Value <= last; i++)
        {
            if (sightings[i].ResolvedNow)
                by ??= sightings[i].Host;
            if (sightings[i].LastSeen != DateTimeOffset.MaxValue && (latest is null || sightings[i].LastSeen > latest))
                latest = sightings[i].LastSeen;
            if (hosts?.Contains(sightings[i].Host, StringComparer.Ordinal) != true)
                (hosts ??= []).Add(sightings[i].Host);
        }
        return (latest, by, hosts ?? (IReadOnlyList<string>)[]);
    }

    private static int LowerBound(Sighting[] sorted, UInt128 value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (sorted[middle].Value < value)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }

    private static UInt128 Value(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        for (var i = 0; i < written; i++)
            value = (value << 8) | bytes[i];
        return value;
    }
}
