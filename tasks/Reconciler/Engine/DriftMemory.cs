using System.Collections.Immutable;
using System.Text.Json;

namespace Reconciler.Engine;

/// <summary>When an address was first and last seen for a host.</summary>
public sealed record AddressMemory(DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>What Reconciler remembers of a host: since when it has been resolving, and each address it gave.</summary>
public sealed record HostMemory(DateTimeOffset ObservedSince, ImmutableSortedDictionary<string, AddressMemory> Addresses);

/// <summary>
/// The memory between runs (<c>--state</c>): first and last seen per host and address, so that a pool that
/// rotates is learnt across samples and runs, and an address is called stale only after it has been unseen
/// for <c>stale_after</c> while its host kept resolving. Pure: updating returns a new memory.
/// </summary>
public sealed record DriftMemory(ImmutableSortedDictionary<string, HostMemory> Hosts)
{
    public const int SchemaVersion = 1;

    public static DriftMemory Empty { get; } = new(ImmutableSortedDictionary<string, HostMemory>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>Adds a run's successful observations; failed ones teach nothing and change nothing.</summary>
    public DriftMemory Remember(ObservationSet observations, DateTimeOffset now)
    {
        var hosts = Hosts.ToBuilder();
        foreach (var byHost in observations.Observations.Where(o => o.Succeeded).GroupBy(o => o.Host, StringComparer.OrdinalIgnoreCase))
        {
            var host = byHost.Key.ToLowerInvariant();
            var memory = hosts.TryGetValue(host, out var known)
                ? known
                : new HostMemory(now, ImmutableSortedDictionary<string, AddressMemory>.Empty.WithComparers(StringComparer.Ordinal));
            var addresses = memory.Addresses.ToBuilder();
            foreach (var address in byHost.SelectMany(o => o.Addresses).Select(a => a.Address).Distinct())
            {
                addresses[address] = addresses.TryGetValue(address, out var seen)
                    ? seen with { LastSeen = Max(seen.LastSeen, now) }
                    : new AddressMemory(now, now);
            }
            hosts[host] = new HostMemory(Min(memory.ObservedSince, now), addresses.ToImmutable());
        }
        return new DriftMemory(hosts.ToImmutable());
    }

    /// <summary>
    /// Whether this memory says something <paramref name="other"/> does not: another host or address, another first
    /// sighting, or a last sighting that moved by <paramref name="tolerance"/> or more.
    /// </summary>
    public bool DiffersFrom(DriftMemory other, TimeSpan tolerance)
    {
        if (Hosts.Count != other.Hosts.Count)
            return true;
        foreach (var (name, host) in Hosts)
        {
            if (other.Hosts.GetValueOrDefault(name) is not { } theirs || theirs.ObservedSince != host.ObservedSince || theirs.Addresses.Count != host.Addresses.Count)
                return true;
            foreach (var (address, seen) in host.Addresses)
            {
                if (theirs.Addresses.GetValueOrDefault(address) is not { } before || before.FirstSeen != seen.FirstSeen || (seen.LastSeen - before.LastSeen).Duration() >= tolerance)
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The memories of several shards as one: every host and address any of them knows, first seen at the earliest
    /// and last seen at the latest sighting. Order does not matter.
    /// </summary>
    public static DriftMemory Merge(IEnumerable<DriftMemory> memories)
    {
        var hosts = Empty.Hosts.ToBuilder();
        foreach (var (name, host) in memories.SelectMany(m => m.Hosts))
        {
            if (!hosts.TryGetValue(name, out var known))
            {
                hosts[name] = host;
                continue;
            }
            var addresses = known.Addresses.ToBuilder();
            foreach (var (address, seen) in host.Addresses)
            {
                addresses[address] = addresses.TryGetValue(address, out var before)
                    ? new AddressMemory(Min(before.FirstSeen, seen.FirstSeen), Max(before.LastSeen, seen.LastSeen))
                    : seen;
            }
            hosts[name] = new HostMemory(Min(known.ObservedSince, host.ObservedSince), addresses.ToImmutable());
        }
        return new DriftMemory(hosts.ToImmutable());
    }

    public HostMemory? Find(string host) => Hosts.GetValueOrDefault(host.ToLowerInvariant());

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed record Wire(int SchemaVersion, IDictionary<string, HostMemory> Hosts);

    public string ToJson() => JsonSerializer.Serialize(new Wire(SchemaVersion, Hosts), Reports.ReportJson.Options) + "\n";

    public void WriteTo(Stream stream)
    {
        JsonSerializer.Serialize(stream, new Wire(SchemaVersion, Hosts), Reports.ReportJson.Options);
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The memory in a state file, or why it cannot be read. A bad file is never fatal: the run goes on with an empty memory.</summary>
    public static (DriftMemory Memory, string? Problem) FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return (Empty, "no state yet: this run starts the memory of addresses (nothing can be stale before stale_after has passed)");
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(json, Reports.ReportJson.Options);
            if (wire?.Hosts is null || wire.SchemaVersion != SchemaVersion)
                return (Empty, $"the state file is not state schema {SchemaVersion}; starting an empty memory (no address will be proposed for removal until stale_after has passed)");
            var hosts = wire.Hosts.ToImmutableSortedDictionary(
                h => h.Key,
                h => h.Value with { Addresses = (h.Value.Addresses ?? ImmutableSortedDictionary<string, AddressMemory>.Empty).WithComparers(StringComparer.Ordinal) },
                StringComparer.Ordinal);
            return (new DriftMemory(hosts), null);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            return (Empty, $"the state file is corrupt ({e.Message}); starting an empty memory (no address will be proposed for removal until stale_after has passed)");
        }
    }
}
