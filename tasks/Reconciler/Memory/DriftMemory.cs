using System.Collections.Immutable;
using Reconciler.Observe;

namespace Reconciler.Memory;

/// <summary>When an address was first and last seen for a host.</summary>
public sealed record AddressMemory(DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>A stretch of time over which every run that looked at a host resolved it successfully, runs close enough together.</summary>
public sealed record ProvenSpan(DateTimeOffset From, DateTimeOffset To)
{
    public TimeSpan Length => To - From;

    /// <summary>
    /// Two runs further apart than this leave the time between them unproven: nobody looked. Long enough for a daily
    /// schedule and its delays, never more than a quarter of <c>stale_after</c>.
    /// </summary>
    public static TimeSpan LongestGap(TimeSpan staleAfter) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromDays(2).Ticks, staleAfter.Ticks / 4));
}

/// <summary>
/// What Reconciler remembers of a host: since when it has been resolving, each address it gave, the spans of
/// successful observation (the only time that counts towards <c>stale_after</c>), and the last failed lookup.
/// </summary>
public sealed record HostMemory(
    DateTimeOffset ObservedSince,
    ImmutableSortedDictionary<string, AddressMemory> Addresses,
    ImmutableArray<ProvenSpan> Proven = default,
    DateTimeOffset? LastFailed = null)
{
    /// <summary>The spans, oldest first (never default, so callers need not check).</summary>
    public ImmutableArray<ProvenSpan> Proven { get; init; } = Proven.IsDefault ? [] : Proven;

    /// <summary>How much successful observation of this host lies between <paramref name="since"/> and <paramref name="now"/>.</summary>
    public TimeSpan ProvenBetween(DateTimeOffset since, DateTimeOffset now)
    {
        var total = TimeSpan.Zero;
        foreach (var span in Proven)
        {
            var from = span.From > since ? span.From : since;
            var to = span.To < now ? span.To : now;
            if (to > from)
                total += to - from;
        }
        return total;
    }
}

/// <summary>
/// The memory between runs (<c>--state</c>): first and last seen per host and address, so that a rotating pool is
/// learnt across samples and runs, and the spans of successful observation that a removal needs as proof (README,
/// "What Reconciler will never do"). Pure: updating returns a new memory. Its file is <see cref="DriftMemoryJson"/>.
/// </summary>
public sealed record DriftMemory(ImmutableSortedDictionary<string, HostMemory> Hosts)
{
    /// <summary>At most this many spans are kept per host; dropping the oldest only ever makes removals wait longer.</summary>
    public const int MaxSpansPerHost = 100;

    public static DriftMemory Empty { get; } = new(ImmutableSortedDictionary<string, HostMemory>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>Adds a run's observations with the default <c>stale_after</c>; see the other overload.</summary>
    public DriftMemory Remember(ObservationSet observations, DateTimeOffset now) =>
        Remember(observations, now, Policies.Model.PolicySettings.Default.StaleAfter);

    /// <summary>
    /// Adds a run's observations. Every successful answer is a sighting of its addresses. A host that resolved at
    /// every server that answered extends its current span of proof (or starts one, after a failure or a gap longer
    /// than <see cref="ProvenSpan.LongestGap"/>); a host that failed anywhere records the failure, which ends the span.
    /// </summary>
    public DriftMemory Remember(ObservationSet observations, DateTimeOffset now, TimeSpan staleAfter)
    {
        var gap = ProvenSpan.LongestGap(staleAfter);
        var hosts = Hosts.ToBuilder();
        foreach (var byHost in observations.Observations.GroupBy(o => o.Host.ToLowerInvariant()))
        {
            var verdict = RunVerdicts.Of(byHost);
            hosts.TryGetValue(byHost.Key, out var known);
            if (known is null && !byHost.Any(o => o.Succeeded))
                continue; // a host that never resolved teaches nothing yet
            var memory = known ?? new HostMemory(now, ImmutableSortedDictionary<string, AddressMemory>.Empty.WithComparers(StringComparer.Ordinal));
            var addresses = memory.Addresses.ToBuilder();
            foreach (var address in byHost.Where(o => o.Succeeded).SelectMany(o => o.Addresses).Select(a => a.Address).Distinct())
            {
                addresses[address] = addresses.TryGetValue(address, out var seen)
                    ? new AddressMemory(Min(seen.FirstSeen, now), Max(seen.LastSeen, now))
                    : new AddressMemory(now, now);
            }
            var observedSince = byHost.Any(o => o.Succeeded) ? Min(memory.ObservedSince, now) : memory.ObservedSince;
            hosts[byHost.Key] = verdict == RunVerdict.Resolved
                ? new HostMemory(observedSince, addresses.ToImmutable(), Extend(memory, now, gap), memory.LastFailed)
                : new HostMemory(observedSince, addresses.ToImmutable(), memory.Proven, Max(memory.LastFailed ?? now, now));
        }
        return new DriftMemory(hosts.ToImmutable());
    }

    private static ImmutableArray<ProvenSpan> Extend(HostMemory memory, DateTimeOffset now, TimeSpan gap)
    {
        var spans = memory.Proven;
        if (spans.Length > 0)
        {
            var last = spans[^1];
            var unbroken = memory.LastFailed is not { } failed || failed < last.To;
            if (unbroken && now >= last.To && now - last.To <= gap)
                return spans.SetItem(spans.Length - 1, last with { To = now });
        }
        return Normalize(spans.Add(new ProvenSpan(now, now)), memory.LastFailed);
    }

    /// <summary>
    /// Spans in time order, overlapping ones joined, a span holding a known failure cut to its end (time around a
    /// failure proves nothing), and only the newest <see cref="MaxSpansPerHost"/>.
    /// </summary>
    private static ImmutableArray<ProvenSpan> Normalize(IEnumerable<ProvenSpan> spans, DateTimeOffset? failed)
    {
        var result = new List<ProvenSpan>();
        foreach (var raw in spans.OrderBy(s => s.From).ThenBy(s => s.To))
        {
            var span = failed is { } f && raw.From < f && f < raw.To ? raw with { From = raw.To } : raw;
            if (result.Count > 0 && span.From <= result[^1].To)
                result[^1] = result[^1] with { To = Max(result[^1].To, span.To) };
            else
                result.Add(span);
        }
        return [.. result.Skip(Math.Max(0, result.Count - MaxSpansPerHost))];
    }

    /// <summary>
    /// Whether this memory says something <paramref name="other"/> does not: another host or address, another first
    /// sighting or failure, or a last sighting or span end that moved by <paramref name="tolerance"/> or more.
    /// </summary>
    public bool DiffersFrom(DriftMemory other, TimeSpan tolerance)
    {
        if (Hosts.Count != other.Hosts.Count)
            return true;
        foreach (var (name, host) in Hosts)
        {
            if (other.Hosts.GetValueOrDefault(name) is not { } theirs || theirs.ObservedSince != host.ObservedSince || theirs.Addresses.Count != host.Addresses.Count
                || theirs.LastFailed != host.LastFailed || theirs.Proven.Length != host.Proven.Length)
                return true;
            foreach (var (address, seen) in host.Addresses)
            {
                if (theirs.Addresses.GetValueOrDefault(address) is not { } before || before.FirstSeen != seen.FirstSeen || (seen.LastSeen - before.LastSeen).Duration() >= tolerance)
                    return true;
            }
            for (var i = 0; i < host.Proven.Length; i++)
            {
                if (host.Proven[i].From != theirs.Proven[i].From || (host.Proven[i].To - theirs.Proven[i].To).Duration() >= tolerance)
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Several memories as one (shards, or two runs that saved the same file): every host and address any of them
    /// knows, first seen at the earliest and last seen at the latest sighting, spans joined, the latest failure
    /// kept and cutting any span it falls in. Order does not matter.
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
            var failed = known.LastFailed is { } a && host.LastFailed is { } b ? Max(a, b) : known.LastFailed ?? host.LastFailed;
            hosts[name] = new HostMemory(Min(known.ObservedSince, host.ObservedSince), addresses.ToImmutable(), Normalize([.. known.Proven, .. host.Proven], failed), failed);
        }
        return new DriftMemory(hosts.ToImmutable());
    }

    public HostMemory? Find(string host) => Hosts.GetValueOrDefault(host.ToLowerInvariant());

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public string ToJson() => DriftMemoryJson.Write(this);

    public void WriteTo(Stream stream) => DriftMemoryJson.WriteTo(stream, this);

    /// <summary>The memory in a state file, or why it cannot be read; see <see cref="DriftMemoryJson.Read"/>.</summary>
    public static (DriftMemory Memory, string? Problem) FromJson(string? json)
    {
        var read = DriftMemoryJson.Read(json);
        return (read.Memory, read.Problem);
    }
}
