using System.Collections.Immutable;
using Reconciler.Observe;

namespace Reconciler.Memory;

/// <summary>
/// When an address was first and last seen for a host, and how many answers of its family the host has given since
/// without it (<see cref="Missed"/>): what proves a rotating pool's address gone (README, "Rotating pools").
/// </summary>
public sealed record AddressMemory(DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Missed = 0);

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
/// <param name="V4">The successful answers holding IPv4 addresses counted so far; null before any (or in a state file from before they were counted).</param>
/// <param name="V6">The same for IPv6.</param>
public sealed record HostMemory(
    DateTimeOffset ObservedSince,
    ImmutableSortedDictionary<string, AddressMemory> Addresses,
    ImmutableArray<ProvenSpan> Proven = default,
    DateTimeOffset? LastFailed = null,
    AnswerSizes? V4 = null,
    AnswerSizes? V6 = null)
{
    /// <summary>The spans, oldest first (never default, so callers need not check).</summary>
    public ImmutableArray<ProvenSpan> Proven { get; init; } = Proven.IsDefault ? [] : Proven;

    public AnswerSizes? SizesOf(bool ipv6) => ipv6 ? V6 : V4;

    /// <summary>
    /// Whether the host's pool rotates in that family: the memory holds more of its addresses than its largest answer
    /// carried. A pool that moved looks the same, and is treated the same (README, "Rotating pools").
    /// </summary>
    public bool Rotates(bool ipv6) =>
        SizesOf(ipv6) is { } sizes && Addresses.Keys.Count(a => AnswerSizes.IsIPv6(a) == ipv6) > sizes.Largest;

    public bool Rotates() => Rotates(false) || Rotates(true);

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
        var hosts = ClippedTo(now).Memory.Hosts.ToBuilder();
        foreach (var byHost in observations.Observations.GroupBy(o => o.Host.ToLowerInvariant()))
        {
            var verdict = RunVerdicts.Of(byHost);
            hosts.TryGetValue(byHost.Key, out var known);
            if (known is null && !byHost.Any(o => o.Succeeded))
                continue; // a host that never resolved teaches nothing yet
            var memory = known ?? new HostMemory(now, ImmutableSortedDictionary<string, AddressMemory>.Empty.WithComparers(StringComparer.Ordinal));
            var answered = byHost.Where(o => o.Succeeded).ToList();
            var v4 = AnswerSizes.Count(answered, ipv6: false);
            var v6 = AnswerSizes.Count(answered, ipv6: true);
            var seenNow = answered.SelectMany(o => o.Addresses).Select(a => a.Address).ToHashSet(StringComparer.Ordinal);
            var addresses = memory.Addresses.ToBuilder();
            foreach (var (address, seen) in memory.Addresses)
            {
                if (!seenNow.Contains(address))
                    addresses[address] = seen with { Missed = AnswerSizes.Add(seen.Missed, (AnswerSizes.IsIPv6(address) ? v6 : v4)?.Answers ?? 0) };
            }
            foreach (var address in seenNow)
            {
                addresses[address] = addresses.TryGetValue(address, out var seen)
                    ? new AddressMemory(Min(seen.FirstSeen, now), Max(seen.LastSeen, now))
                    : new AddressMemory(now, now);
            }
            var observedSince = answered.Count > 0 ? Min(memory.ObservedSince, now) : memory.ObservedSince;
            var discovered = seenNow.Where(a => !memory.Addresses.ContainsKey(a)).ToList();
            memory = memory with
            {
                V4 = AnswerSizes.Join(memory.V4, v4, discovered.Any(a => !AnswerSizes.IsIPv6(a))),
                V6 = AnswerSizes.Join(memory.V6, v6, discovered.Any(AnswerSizes.IsIPv6)),
            };
            hosts[byHost.Key] = verdict == RunVerdict.Resolved
                ? memory with { ObservedSince = observedSince, Addresses = addresses.ToImmutable(), Proven = Extend(memory, now, gap) }
                : memory with { ObservedSince = observedSince, Addresses = addresses.ToImmutable(), LastFailed = Max(memory.LastFailed ?? now, now) };
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
                || theirs.LastFailed != host.LastFailed || theirs.Proven.Length != host.Proven.Length
                || !AnswerSizes.SameShape(theirs.V4, host.V4) || !AnswerSizes.SameShape(theirs.V6, host.V6))
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
                    ? new AddressMemory(Min(before.FirstSeen, seen.FirstSeen), Max(before.LastSeen, seen.LastSeen), MissedSinceLater(before, seen))
                    : seen;
            }
            var failed = known.LastFailed is { } a && host.LastFailed is { } b ? Max(a, b) : known.LastFailed ?? host.LastFailed;
            var same = known.Addresses.Count == host.Addresses.Count && known.Addresses.Keys.All(host.Addresses.ContainsKey);
            hosts[name] = new HostMemory(Min(known.ObservedSince, host.ObservedSince), addresses.ToImmutable(), Normalize([.. known.Proven, .. host.Proven], failed), failed,
                AnswerSizes.Merge(known.V4, host.V4, same), AnswerSizes.Merge(known.V6, host.V6, same));
        }
        return new DriftMemory(hosts.ToImmutable());
    }

    /// <summary>
    /// The answers missed since the later sighting; at a tie the larger count. Two memories that grew from one file
    /// (the file as loaded and this run's, or two runs at once) each counted only their own runs since: the larger is
    /// never more than both together, so the count can only be short, which only ever makes a removal wait.
    /// </summary>
    private static int MissedSinceLater(AddressMemory a, AddressMemory b) =>
        a.LastSeen > b.LastSeen ? a.Missed : b.LastSeen > a.LastSeen ? b.Missed : Math.Max(a.Missed, b.Missed);

    /// <summary>
    /// The memory with nothing dated after <paramref name="now"/>: a sighting or failure from the future is moved to
    /// now (it keeps its address as recently seen, never less), a span starting after now is dropped and one ending
    /// after it is cut there. A run with a wrong clock would otherwise stop every later proof (README, "Clocks").
    /// </summary>
    public (DriftMemory Memory, FutureDated Clipped) ClippedTo(DateTimeOffset now)
    {
        var clipped = FutureDated.None;
        ImmutableSortedDictionary<string, HostMemory>.Builder? hosts = null;
        foreach (var (name, host) in Hosts)
        {
            var (fixedHost, found) = ClipHost(host, now);
            if (found.IsNone)
                continue;
            clipped = clipped.And(found);
            hosts ??= Hosts.ToBuilder();
            hosts[name] = fixedHost;
        }
        return hosts is null ? (this, clipped) : (new DriftMemory(hosts.ToImmutable()), clipped);
    }

    private static (HostMemory Host, FutureDated Found) ClipHost(HostMemory host, DateTimeOffset now)
    {
        var found = FutureDated.None;
        var addresses = host.Addresses;
        foreach (var (address, seen) in host.Addresses)
        {
            if (seen.LastSeen <= now)
                continue;
            found = found.And(new FutureDated(1, 0, seen.LastSeen));
            addresses = addresses.SetItem(address, seen with { FirstSeen = Min(seen.FirstSeen, now), LastSeen = now });
        }
        var spans = host.Proven;
        if (spans.Any(s => s.To > now))
        {
            found = found.And(new FutureDated(0, spans.Count(s => s.To > now), spans.Max(s => s.To)));
            spans = [.. spans.Where(s => s.From <= now).Select(s => s.To > now ? s with { To = now } : s)];
        }
        var since = host.ObservedSince > now ? now : host.ObservedSince;
        var failed = host.LastFailed is { } f && f > now ? now : host.LastFailed;
        if (failed != host.LastFailed)
            found = found.And(new FutureDated(0, 0, host.LastFailed!.Value));
        if (since != host.ObservedSince)
            found = found.And(new FutureDated(0, 0, host.ObservedSince));
        return found.IsNone ? (host, found) : (host with { ObservedSince = since, Addresses = addresses, Proven = spans, LastFailed = failed }, found);
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
