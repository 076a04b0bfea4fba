using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Transport;

/// <summary>
/// Sends queries over unconnected UDP sockets and matches replies by transaction id, source address and
/// question; anything else (a wrong id, another sender, a duplicate, garbage) is dropped and the query keeps
/// waiting. Each socket is bound to port 0 (the kernel picks a random ephemeral port) and retired after
/// <see cref="QueriesPerSocket"/> queries, so an off-path forger must guess the port as well as the id
/// (README, DNS). At most <see cref="MaxOpenSockets"/> sockets are open at once; a query that would need
/// another waits for one to close.
/// </summary>
/// <remarks>
/// A socket lives for a couple of queries, so what it costs to set up is what counts. An asynchronous receive
/// costs an epoll registration and a thread-pool hop per socket (measured: 5 to 10 times the socket's own
/// system calls); a thread per socket costs more still. So the sockets stay blocking and one thread per
/// transport waits on all of them at once with poll (Socket.Select), reads what is ready and completes the
/// query there. A datagram to a wake socket makes it poll again when a new socket opens.
/// Unconnected rather than connected sockets, so that a datagram from another sender reaches us and is counted
/// as ignored instead of vanishing in the kernel.
/// </remarks>
public sealed class UdpTransport : IDisposable
{
    /// <summary>
    /// Queries one socket carries before it is retired. With 2, 4,000 queries leave from about 2,000 sockets,
    /// and the kernel's ~28,000 ephemeral ports make nearly all of them distinct.
    /// </summary>
    public const int QueriesPerSocket = 2;
    /// <summary>
    /// File descriptors this transport may hold. It also bounds what is in flight at QueriesPerSocket times
    /// this, and spreads it over many source ports, which servers spread over their receive buffers.
    /// </summary>
    public const int MaxOpenSockets = 512;
    /// <summary>How long the receiver polls before it looks again anyway (if a wake datagram is ever lost).</summary>
    private const int PollMicroseconds = 50_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<AddressFamily, Channel> _current = [];
    private readonly Dictionary<Socket, Channel> _open = [];
    private readonly SemaphoreSlim _slots = new(MaxOpenSockets, MaxOpenSockets);
    private readonly TransactionIds _ids = new();
    private readonly SourcePorts _ports = new();
    private Socket? _wake;
    private SocketAddress? _wakeAddress;
    private Thread? _receiver;
    private bool _polling;
    private bool _woken;
    private bool _disposed;
    private long _ignored;

    /// <summary>Datagrams that arrived but answered no query of ours (for tests and diagnostics).</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>How many distinct local ports queries have left from (for tests and the benchmark).</summary>
    public int DistinctSourcePorts => _ports.Count;

    /// <summary>The reply, or null when none that answers the query came within the timeout.</summary>
    public async Task<DnsReply?> ExchangeAsync(byte[] query, DnsQuestion question, IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = new Pending(server, question);
        var (channel, id) = TryRegister(pending) ?? await RegisterOnNewSocketAsync(pending, cancellationToken).ConfigureAwait(false);
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
            // A local error (no route, buffer full): to the caller, a server that does not answer.
            return null;
        }
        finally
        {
            channel.Release(id, pending);
        }
    }

    /// <summary>On the socket being filled, when it has room: the common case, without waiting.</summary>
    private (Channel, ushort)? TryRegister(Pending pending)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _current.TryGetValue(pending.Server.AddressFamily, out var channel) && !channel.IsFull
                ? (channel, channel.Add(pending, _ids))
                : null;
        }
    }

    private async Task<(Channel, ushort)> RegisterOnNewSocketAsync(Pending pending, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Channel fresh;
        try
        {
            // The socket's system calls outside the lock: bind searches the port range.
            fresh = new Channel(this, pending.Server.AddressFamily);
        }
        catch
        {
            _slots.Release();
            throw;
        }
        Channel channel;
        ushort id;
        var wake = false;
        lock (_lock)
        {
            if (_disposed)
            {
                fresh.Socket.Close();
                _slots.Release();
                throw new ObjectDisposedException(nameof(UdpTransport));
            }
            // Another query may have opened one with room while this one waited for the slot: use that first.
            var family = pending.Server.AddressFamily;
            if (_current.TryGetValue(family, out var existing) && !existing.IsFull)
            {
                channel = existing;
            }
            else
            {
                channel = _current[family] = fresh;
                _open.Add(fresh.Socket, fresh);
                _ports.Add(fresh.LocalPort);
                StartReceiver();
                // The receiver polls the sockets it saw last; one wake makes it look again.
                wake = _polling && !_woken;
                _woken |= wake;
            }
            id = channel.Add(pending, _ids);
        }
        if (channel != fresh)
        {
            fresh.Socket.Close();
            _slots.Release();
        }
        else if (wake)
        {
            Wake();
        }
        return (channel, id);
    }

    /// <summary>Under the lock.</summary>
    private void StartReceiver()
    {
        if (_receiver is not null)
            return;
        _wake = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _wake.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _wakeAddress = _wake.LocalEndPoint!.Serialize();
        _receiver = new Thread(Receive) { IsBackground = true, Name = "dns-udp-receive" };
        _receiver.Start();
    }

    private void Wake()
    {
        try
        {
            _wake!.SendTo([0], SocketFlags.None, _wakeAddress!);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // No loopback: the receiver looks again when its poll times out.
        }
    }

    private void Closed(Channel channel)
    {
        lock (_lock)
        {
            if (!_open.Remove(channel.Socket))
                return;
        }
        channel.Socket.Close();
        _slots.Release();
    }

    /// <summary>The receiver: poll every open socket, read what is ready, hand each datagram to its socket's queries.</summary>
    private void Receive()
    {
        var buffer = new byte[65535];
        var from = new Dictionary<AddressFamily, SocketAddress>
        {
            [AddressFamily.InterNetwork] = new(AddressFamily.InterNetwork),
            [AddressFamily.InterNetworkV6] = new(AddressFamily.InterNetworkV6),
        };
        var ready = new List<Socket>();
        var owners = new Dictionary<Socket, Channel>();
        var wake = _wake!;
        while (true)
        {
            lock (_lock)
            {
                if (_disposed)
                    break;
                owners.Clear();
                foreach (var (socket, channel) in _open)
                    owners[socket] = channel;
                _polling = true;
                _woken = false;
            }
            ready.Clear();
            ready.Add(wake);
            ready.AddRange(owners.Keys);
            try
            {
                Socket.Select(ready, null, null, PollMicroseconds);
            }
            catch (ObjectDisposedException)
            {
                ready.Clear();   // a socket closed since the snapshot: take a new one
            }
            catch (SocketException)
            {
                ready.Clear();
            }
            lock (_lock)
                _polling = false;
            foreach (var socket in ready)
            {
                try
                {
                    if (socket == wake)
                    {
                        while (wake.Available > 0)
                            wake.Receive(buffer);
                        continue;
                    }
                    var channel = owners[socket];
                    var address = from[socket.AddressFamily];
                    var length = socket.ReceiveFrom(buffer, SocketFlags.None, address);
                    channel.Accept(buffer.AsSpan(0, length), address);
                }
                catch (SocketException)
                {
                    // An ICMP error for an earlier datagram, or a socket closed under us: nothing to read.
                }
                catch (ObjectDisposedException)
                {
                    // Closed (its queries timed out) since the poll.
                }
            }
        }
        wake.Close();
    }

    public void Dispose()
    {
        Channel[] all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _open.Values];
        }
        foreach (var channel in all)
            Closed(channel);
        if (_wake is not null)
            Wake();   // the receiver sees _disposed, closes the wake socket and ends
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

    /// <summary>One short-lived socket and the queries waiting on it.</summary>
    private sealed class Channel
    {
        private readonly UdpTransport _owner;
        // A couple of entries at most; a dictionary keeps the lookup by id the same for any QueriesPerSocket.
        private readonly ConcurrentDictionary<ushort, Pending> _pending = new(concurrencyLevel: 1, capacity: QueriesPerSocket);
        private int _used;
        private bool _closing;

        public Channel(UdpTransport owner, AddressFamily family)
        {
            _owner = owner;
            Socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                var any = family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
                Socket.Bind(new IPEndPoint(any, 0));
                LocalPort = ((IPEndPoint)Socket.LocalEndPoint!).Port;
            }
            catch
            {
                Socket.Close();
                throw;
            }
        }

        public Socket Socket { get; }

        public int LocalPort { get; }

        /// <summary>Read and written under the transport's lock.</summary>
        public bool IsFull => _used >= QueriesPerSocket;

        /// <summary>Under the transport's lock.</summary>
        public ushort Add(Pending pending, TransactionIds ids)
        {
            _used++;
            while (true)
            {
                var id = ids.Next();
                if (_pending.TryAdd(id, pending))
                    return id;
            }
        }

        public void Release(ushort id, Pending pending)
        {
            // By id and entry: once answered, the id may already belong to a newer query on this socket.
            _pending.TryRemove(KeyValuePair.Create(id, pending));
            if (ShouldClose())
                _owner.Closed(this);
        }

        /// <summary>
        /// Under the transport's lock, where queries are added: otherwise a query counted against this socket but
        /// not yet added could see it closed beneath it.
        /// </summary>
        private bool ShouldClose()
        {
            if (!Volatile.Read(ref _closing) && _pending.IsEmpty)
            {
                lock (_owner._lock)
                {
                    if (IsFull && _pending.IsEmpty && !_closing)
                    {
                        _closing = true;
                        return true;
                    }
                }
            }
            return false;
        }

        /// <summary>On the receiver's thread.</summary>
        public void Accept(ReadOnlySpan<byte> reply, SocketAddress from)
        {
            var id = reply.Length >= 2 ? (ushort)(reply[0] << 8 | reply[1]) : (ushort)0;
            // Taking the query out as it is answered makes a duplicate reply an unknown one.
            if (reply.Length >= 2
                && _pending.TryGetValue(id, out var pending)
                && FromServer(from, pending)
                && ReplyFilter.Match(reply, id, pending.Question) is { } matched
                && _pending.TryRemove(KeyValuePair.Create(id, pending)))
            {
                pending.Completion.TrySetResult(matched);
            }
            else
            {
                Interlocked.Increment(ref _owner._ignored);
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
