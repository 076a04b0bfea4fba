using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Transport;

/// <summary>
/// Sends queries over unconnected UDP sockets and matches replies by transaction id, source address and
/// question; anything else (a wrong id, another sender, a duplicate, garbage) is dropped and the query keeps
/// waiting. A socket takes at most <see cref="InFlightPerSocket"/> queries at once, so that no socket floods a
/// server's receive buffer; another opens only when all are full. Each is retired after
/// <see cref="QueriesPerSocket"/> queries, so source ports keep changing.
/// </summary>
/// <remarks>
/// Each socket has a thread blocked in recvfrom: one system call per reply, where an async receive loop costs
/// epoll re-arming and a thread-pool hop per datagram (bench/dns.sh: half the CPU per query). Few sockets mean
/// few such threads: on two cores shared with the server, 1 socket was 25 % faster than 4.
/// </remarks>
public sealed class UdpTransport : IDisposable
{
    public const int QueriesPerSocket = 1024;
    /// <summary>
    /// Queries one socket may have in flight. All of a socket's queries land in one receive buffer at the server
    /// (servers spread sockets over workers by source port); a few hundred overflow Knot's (recipes, 03).
    /// </summary>
    public const int InFlightPerSocket = 128;

    private readonly Lock _lock = new();
    private readonly Dictionary<AddressFamily, List<Channel>> _channels = [];
    private bool _disposed;
    private long _ignored;

    /// <summary>Datagrams that arrived but answered no query of ours (for tests and diagnostics).</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>The reply, or null when none that answers the query came within the timeout.</summary>
    public async Task<DnsReply?> ExchangeAsync(byte[] query, DnsQuestion question, IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (channel, pending, id) = Register(server, question);
        query[0] = (byte)(id >> 8);
        query[1] = (byte)id;
        try
        {
            channel.Socket.SendTo(query, SocketFlags.None, pending.ServerAddress);
            return await pending.Completion.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        catch (SocketException)
        {
            // ICMP port unreachable surfaces here on Linux; to the caller it is a server that does not answer.
            return null;
        }
        finally
        {
            channel.Release(id, pending);
        }
    }

    private (Channel, Pending, ushort) Register(IPEndPoint server, DnsQuestion question)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_channels.TryGetValue(server.AddressFamily, out var channels))
                _channels[server.AddressFamily] = channels = [];
            channels.RemoveAll(c => c.IsRetiring);
            var channel = channels.FirstOrDefault(c => c.InFlight < InFlightPerSocket);
            if (channel is null)
            {
                channel = new Channel(this, server.AddressFamily);
                channels.Add(channel);
            }
            var pending = new Pending(server, question);
            var id = channel.Add(pending);
            return (channel, pending, id);
        }
    }

    public void Dispose()
    {
        Channel[] all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _channels.Values.SelectMany(c => c)];
        }
        foreach (var channel in all)
            channel.Close();
    }

    // A class, not a record: two queries for the same question at the same server must stay two entries.
    private sealed class Pending(IPEndPoint server, DnsQuestion question)
    {
        public IPEndPoint Server { get; } = server;
        public SocketAddress ServerAddress { get; } = server.Serialize();
        public DnsQuestion Question { get; } = question;
        // Completed on the receiving thread and continued there: one thread hop fewer per query.
        public TaskCompletionSource<DnsReply> Completion { get; } = new();
    }

    /// <summary>One socket, its receiving thread and the queries waiting on it.</summary>
    private sealed class Channel
    {
        private readonly UdpTransport _owner;
        private readonly ConcurrentDictionary<ushort, Pending> _pending = new();
        // Unpredictable ids, drawn from the system's CSPRNG once per socket rather than once per query.
        private readonly byte[] _ids = RandomNumberGenerator.GetBytes(2 * (QueriesPerSocket + 64));
        private int _drawn;
        private int _used;
        private int _inFlight;
        private bool _closing;

        public Channel(UdpTransport owner, AddressFamily family)
        {
            _owner = owner;
            Socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
            Socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            new Thread(Receive) { IsBackground = true, Name = "dns-udp-receive" }.Start();
        }

        public Socket Socket { get; }

        public bool IsRetiring => _used >= QueriesPerSocket;

        /// <summary>Kept by hand: ConcurrentDictionary.Count takes every lock of the dictionary.</summary>
        public int InFlight => Volatile.Read(ref _inFlight);

        public ushort Add(Pending pending)
        {
            _used++;
            while (true)
            {
                var id = _drawn < _ids.Length / 2
                    ? (ushort)(_ids[2 * _drawn] << 8 | _ids[(2 * _drawn++) + 1])
                    : (ushort)RandomNumberGenerator.GetInt32(0, 65536);
                if (_pending.TryAdd(id, pending))
                {
                    Interlocked.Increment(ref _inFlight);
                    return id;
                }
            }
        }

        public void Release(ushort id, Pending pending)
        {
            // By id and entry: once answered, the id may already belong to a newer query on this socket.
            Remove(id, pending);
            // Under the transport's lock, where queries are added: otherwise a query counted against this
            // socket but not yet added could see it closed beneath it.
            lock (_owner._lock)
            {
                if (!IsRetiring || !_pending.IsEmpty || _closing)
                    return;
                _closing = true;
            }
            Close();
        }

        private bool Remove(ushort id, Pending pending)
        {
            if (!_pending.TryRemove(KeyValuePair.Create(id, pending)))
                return false;
            Interlocked.Decrement(ref _inFlight);
            return true;
        }

        /// <summary>Closing the socket ends the blocked receive, and with it the thread.</summary>
        public void Close() => Socket.Close();

        private void Receive()
        {
            var buffer = new byte[65535];
            var from = new SocketAddress(Socket.AddressFamily);
            while (true)
            {
                int length;
                try
                {
                    length = Socket.ReceiveFrom(buffer, SocketFlags.None, from);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    continue;   // an ICMP error for an earlier datagram; the socket is still good
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                var reply = buffer.AsSpan(0, length);
                var id = length >= 2 ? (ushort)(reply[0] << 8 | reply[1]) : (ushort)0;
                // Taking the query out as it is answered makes a duplicate reply an unknown one.
                if (length >= 2
                    && _pending.TryGetValue(id, out var pending)
                    && FromServer(from, pending)
                    && ReplyFilter.Match(reply, id, pending.Question) is { } matched
                    && Remove(id, pending))
                {
                    pending.Completion.TrySetResult(matched);
                }
                else
                {
                    Interlocked.Increment(ref _owner._ignored);
                }
            }
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
}
