using System.Net;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Transport;

/// <summary>
/// Sends queries over unconnected UDP sockets and matches replies by transaction id, source address and
/// question; anything else (a wrong id, another sender, a duplicate, garbage) is dropped and the query keeps
/// waiting. Each socket gets a random ephemeral port from the kernel and is retired after
/// <see cref="QueriesPerSocket"/> queries, so an off-path forger must guess the port as well as the id
/// (README, DNS). At most <see cref="MaxOpenSockets"/> sockets are open at once; a query that would need
/// another waits for one to close.
/// </summary>
/// <remarks>
/// A socket lives for a couple of queries, so what it costs to set up is what counts: the sockets come from
/// <see cref="DatagramSockets"/> (raw sockets and epoll on Linux). The work is split over lanes, one per core
/// up to <see cref="MaxLanes"/>, each a receiver thread with sockets of its own (<see cref="UdpLane"/>): a
/// query its callers' continuations send stays on that lane, so a bulk run keeps every lane busy without one
/// thread hop per query. Unconnected rather than connected sockets, so that a datagram from another sender
/// reaches us and is counted as ignored instead of vanishing in the kernel.
/// </remarks>
public sealed class UdpTransport : IDisposable
{
    /// <summary>
    /// Queries one socket carries before it is retired. With 2, 4,000 queries leave from about 2,000 sockets,
    /// and the kernel's ~28,000 ephemeral ports make nearly all of them distinct.
    /// </summary>
    public const int QueriesPerSocket = 2;
    /// <summary>
    /// File descriptors this transport may hold, over all its lanes. It also bounds what is in flight at
    /// QueriesPerSocket times this, and spreads it over many source ports, which servers spread over their
    /// receive buffers.
    /// </summary>
    public const int MaxOpenSockets = 512;
    /// <summary>Beyond a few threads, a server is more likely to be the bound than the client.</summary>
    public const int MaxLanes = 4;

    private readonly UdpLane[] _lanes;
    private readonly SourcePorts _ports = new();
    private int _nextLane = -1;

    public UdpTransport()
        : this(DatagramSockets.Create, Math.Clamp(Environment.ProcessorCount, 1, MaxLanes))
    {
    }

    /// <summary>With another kind of socket set, or another number of lanes (the tests run both kinds).</summary>
    internal UdpTransport(Func<DatagramSockets> createSockets, int lanes = 1)
    {
        _lanes = new UdpLane[Math.Clamp(lanes, 1, MaxLanes)];
        for (var i = 0; i < _lanes.Length; i++)
            _lanes[i] = new UdpLane(this, createSockets, MaxOpenSockets / _lanes.Length, _ports);
    }

    /// <summary>Datagrams that arrived but answered no query of ours (for tests and diagnostics).</summary>
    public long Ignored => _lanes.Sum(l => l.Ignored);

    /// <summary>How many distinct local ports queries have left from (for tests and the benchmark).</summary>
    public int DistinctSourcePorts => _ports.Count;

    /// <summary>Sockets open now, spent ones closed (for tests).</summary>
    internal int OpenSockets => _lanes.Sum(l => l.OpenSockets);

    internal int Lanes => _lanes.Length;

    /// <summary>The reply, or null when none that answers the query came within the timeout.</summary>
    public Task<DnsReply?> ExchangeAsync(byte[] query, DnsQuestion question, IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // On a lane's receiver (a caller continuing after its last reply), that lane; else the next in turn.
        var lane = UdpLane.Receiving is { } receiving && receiving.Owner == this
            ? receiving
            : _lanes[(uint)Interlocked.Increment(ref _nextLane) % (uint)_lanes.Length];
        return lane.ExchangeAsync(query, question, server, timeout, cancellationToken);
    }

    public void Dispose()
    {
        foreach (var lane in _lanes)
            lane.Dispose();
    }
}
