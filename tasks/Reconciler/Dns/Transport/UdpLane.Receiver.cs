using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reconciler.Dns.Transport;

/// <summary>
/// The receiver thread: waits for sockets with a datagram, hands each reply to the query it answers, and every
/// <see cref="SweepMilliseconds"/> ends the queries whose time is up or whose caller gave up.
/// </summary>
internal sealed partial class UdpLane
{
    /// <summary>How late a timeout or a cancellation may be noticed.</summary>
    private const int SweepMilliseconds = 10;
    /// <summary>Its queries' replies, and room for a stray or two; any more wait for the next readiness.</summary>
    private const int MaxReadsPerReadiness = QueriesPerSocket + 2;

    /// <summary>The receiver: wait for sockets with a datagram, hand each to its socket's queries, and sweep.</summary>
    private void Receive(DatagramSockets sockets)
    {
        t_receiving = this;
        var buffer = new byte[65535];
        var fromV4 = new SocketAddress(AddressFamily.InterNetwork);
        var fromV6 = new SocketAddress(AddressFamily.InterNetworkV6);
        var ready = new ulong[256];
        var due = new List<Pending>();
        var spent = new List<Channel>();
        var sweepTicks = Stopwatch.Frequency * SweepMilliseconds / 1000;
        var nextSweep = Stopwatch.GetTimestamp() + sweepTicks;
        while (true)
        {
            int timeout;
            lock (_lock)
            {
                if (_disposed)
                    break;
                // Nothing to time out: wait for a datagram or for a query to wake us.
                _receiverIdle = _waiting == 0;
                timeout = _receiverIdle ? -1 : (int)Math.Clamp((nextSweep - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency, 0, SweepMilliseconds);
            }
            var count = sockets.Wait(ready, timeout);
            _deferring = true;
            for (var i = 0; i < count; i++)
            {
                Channel? channel;
                lock (_lock)
                    _open.TryGetValue(ready[i], out channel);
                // Else a socket closed since, or one that lost a race to open and is being closed.
                if (channel is null)
                    continue;
                // A socket's queries mostly go out one after the other and their replies come together: read on
                // while a query on it still waits, rather than wait for the next readiness (bench/dns.sh: 900 to
                // 3,900 epoll_wait calls for 20,000 queries instead of 4,600 to 6,800, for ~30 reads that find none).
                var from = channel.Family == AddressFamily.InterNetworkV6 ? fromV6 : fromV4;
                var reads = 0;
                while (++reads <= MaxReadsPerReadiness && ReceiveOne(channel, buffer, from) && Waits(channel))
                    continue;
            }
            var now = Stopwatch.GetTimestamp();
            if (now >= nextSweep)
            {
                Sweep(now, due, spent);
                nextSweep = now + sweepTicks;
            }
            _deferring = false;
            SendDeferred();
        }
        Shutdown(sockets);
    }

    /// <summary>Under no lock: whether a query still waits on a socket not yet retired.</summary>
    private bool Waits(Channel channel)
    {
        lock (_lock)
            return !channel.Retired && !channel.IsEmpty;
    }

    /// <summary>Reads one datagram and hands it to the socket's queries; false when there was none to read.</summary>
    private bool ReceiveOne(Channel channel, byte[] buffer, SocketAddress from)
    {
        int length;
        try
        {
            length = channel.Socket.TryReceiveFrom(buffer, from);
        }
        catch (SocketException)
        {
            return false;   // an ICMP error for an earlier datagram: nothing to read
        }
        if (length < 0)
            return false;
        var reply = buffer.AsSpan(0, length);
        var id = length >= 2 ? (ushort)(reply[0] << 8 | reply[1]) : (ushort)0;
        Pending? pending = null;
        if (length >= 2)
        {
            lock (_lock)
                pending = channel.Find(id);
        }
        if (pending is null || !FromServer(from, pending) || ReplyFilter.Match(reply, id, pending.Question) is not { } matched)
        {
            Interlocked.Increment(ref _ignored);
            return true;
        }
        bool retire;
        lock (_lock)
        {
            // Taking the query out as it is answered makes a duplicate reply an unknown one.
            if (!Remove(channel, pending))
            {
                Interlocked.Increment(ref _ignored);   // it timed out or was given up in between
                return true;
            }
            retire = TryRetire(channel);
        }
        if (retire)
            Close(channel);   // first, so that the query's continuation finds the slot free
        pending.TrySetResult(matched);
        return true;
    }

    /// <summary>On the receiver: end the queries whose time is up or whose caller gave up; close spent sockets.</summary>
    private void Sweep(long now, List<Pending> due, List<Channel> spent)
    {
        lock (_lock)
        {
            foreach (var channel in _open.Values)
            {
                _waiting -= channel.TakeDue(now, due);
                if (channel.IsFull && channel.IsEmpty)
                    spent.Add(channel);
            }
            foreach (var channel in spent)
                TryRetire(channel);
        }
        foreach (var channel in spent)
            Close(channel);
        foreach (var pending in due)
        {
            if (pending.CancellationToken.IsCancellationRequested)
                pending.TrySetCanceled(pending.CancellationToken);
            else
                pending.TrySetResult(null);
        }
        due.Clear();
        spent.Clear();
    }

    private static bool FromServer(SocketAddress from, Pending pending)
    {
        if (from.Equals(pending.ServerAddress))
            return true;
        // Byte-for-byte equality is the fast path; this covers an IPv4 server answering on a mapped address.
        var endpoint = (IPEndPoint)pending.Server.Create(from);
        return endpoint.Port == pending.Server.Port && endpoint.Address.IsIPv4MappedToIPv6 && endpoint.Address.MapToIPv4().Equals(pending.Server.Address);
    }
}
