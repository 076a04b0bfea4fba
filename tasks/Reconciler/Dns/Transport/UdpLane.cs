using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Transport;

/// <summary>
/// One receiver thread of a <see cref="UdpTransport"/> and the sockets it waits on: it opens a socket per
/// <see cref="UdpTransport.QueriesPerSocket"/> queries, sends, matches each reply by id, source and question,
/// and completes the query there. Its caller continues on this thread and, in a bulk run, asks its next query
/// from it; what continuations ask while the receiver works through one wait's datagrams goes out together
/// after, so that the server reads a batch. Every <see cref="SweepMilliseconds"/> the receiver ends the queries
/// whose time is up or whose caller gave up: no timer per query. It alone closes sockets, so a socket is never
/// closed under a read.
/// </summary>
internal sealed class UdpLane : IDisposable
{
    private const int QueriesPerSocket = UdpTransport.QueriesPerSocket;
    /// <summary>How late a timeout or a cancellation may be noticed.</summary>
    private const int SweepMilliseconds = 10;
    /// <summary>Its queries' replies, and room for a stray or two; any more wait for the next readiness.</summary>
    private const int MaxReadsPerReadiness = QueriesPerSocket + 2;

    private readonly Lock _lock = new();
    private readonly Func<DatagramSockets> _createSockets;
    private readonly Dictionary<ulong, Channel> _open = [];
    private readonly Dictionary<IPEndPoint, SocketAddress> _addresses = [];
    private readonly SemaphoreSlim _slots;
    private readonly TransactionIds _ids = new();
    private readonly SourcePorts _ports;
    // Only the receiver thread touches these two.
    private readonly List<(Channel Channel, Pending Pending, byte[] Query)> _deferred = [];
    private bool _deferring;
    private DatagramSockets? _sockets;
    private Channel? _currentV4;
    private Channel? _currentV6;
    private ulong _lastKey;
    private int _waiting;
    private bool _receiverIdle;
    private bool _disposed;
    private long _ignored;

    // The lane whose receiver runs on this thread: a query its continuations send stays on the lane.
    [ThreadStatic]
    private static UdpLane? t_receiving;

    public UdpLane(UdpTransport owner, Func<DatagramSockets> createSockets, int maxOpenSockets, SourcePorts ports)
    {
        Owner = owner;
        _createSockets = createSockets;
        _slots = new SemaphoreSlim(maxOpenSockets, maxOpenSockets);
        _ports = ports;
    }

    /// <summary>The lane whose receiver thread this is, if any.</summary>
    public static UdpLane? Receiving => t_receiving;

    public UdpTransport Owner { get; }

    public long Ignored => Interlocked.Read(ref _ignored);

    public int OpenSockets
    {
        get
        {
            lock (_lock)
                return _open.Count;
        }
    }

    public Task<DnsReply?> ExchangeAsync(byte[] query, DnsQuestion question, IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<DnsReply?>(cancellationToken);
        var pending = new Pending(question, server, Ticks(timeout), cancellationToken);
        Channel? channel;
        bool wake;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, Owner);
            pending.ServerAddress = AddressOf(server);
            // The common case: the socket being filled has room, and the query goes out without waiting.
            channel = Current(server.AddressFamily) is { IsFull: false } current ? current : null;
            wake = channel is not null && Add(channel, pending);
        }
        if (channel is null)
            return _slots.Wait(0, CancellationToken.None) ? OpenAndSend(pending, query) : OpenWhenFreeAsync(pending, query, cancellationToken);
        if (wake)
            _sockets!.Wake();
        return Send(channel, pending, query);
    }

    private static long Ticks(TimeSpan timeout) =>
        timeout < TimeSpan.Zero || timeout >= TimeSpan.FromDays(365)
            ? long.MaxValue / 2
            : (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Under the lock. One serialized address per server, not one per query.</summary>
    private SocketAddress AddressOf(IPEndPoint server)
    {
        if (!_addresses.TryGetValue(server, out var address))
            _addresses[server] = address = server.Serialize();
        return address;
    }

    /// <summary>Under the lock.</summary>
    private ref Channel? Current(AddressFamily family) => ref family == AddressFamily.InterNetworkV6 ? ref _currentV6 : ref _currentV4;

    /// <summary>
    /// Under the lock. The query's time starts here, once it has a socket, not while it waited for one. True when
    /// the receiver waits without a timeout and must be woken to time this query out.
    /// </summary>
    private bool Add(Channel channel, Pending pending)
    {
        pending.Deadline = Stopwatch.GetTimestamp() + pending.TimeoutTicks;
        channel.Add(pending, _ids);
        _waiting++;
        var wake = _receiverIdle;
        _receiverIdle = false;
        return wake;
    }

    /// <summary>Under the lock.</summary>
    private bool Remove(Channel channel, Pending pending)
    {
        if (!channel.Remove(pending))
            return false;
        _waiting--;
        return true;
    }

    private async Task<DnsReply?> OpenWhenFreeAsync(Pending pending, byte[] query, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await OpenAndSend(pending, query).ConfigureAwait(false);
    }

    /// <summary>Holding a slot: opens a socket and sends from it, or from one another query opened meanwhile.</summary>
    private Task<DnsReply?> OpenAndSend(Pending pending, byte[] query)
    {
        Channel fresh;
        try
        {
            // The socket's system calls outside the lock. It is in the set the receiver waits on before anyone can
            // send from it, and so before any reply can come.
            var family = pending.Server.AddressFamily;
            var key = Interlocked.Increment(ref _lastKey);
            fresh = new Channel(StartReceiver().Open(family, key), family, key);
        }
        catch
        {
            _slots.Release();
            throw;
        }
        Channel? channel = null;
        var wake = false;
        lock (_lock)
        {
            if (!_disposed)
            {
                // Another query may have opened one with room while this one waited: use that first.
                ref var current = ref Current(fresh.Family);
                if (current is { IsFull: false } existing)
                {
                    channel = existing;
                }
                else
                {
                    channel = current = fresh;
                    _open.Add(fresh.Key, fresh);
                }
                wake = Add(channel, pending);
            }
        }
        if (channel != fresh)
        {
            // Never published, so no other thread knows it: closing it here cannot race a read.
            fresh.Socket.Close();
            _slots.Release();
            ObjectDisposedException.ThrowIf(channel is null, Owner);
        }
        if (wake)
            _sockets!.Wake();
        return Send(channel, pending, query);
    }

    private Task<DnsReply?> Send(Channel channel, Pending pending, byte[] query)
    {
        if (t_receiving == this && _deferring)
        {
            // Sent by a continuation while the receiver works through what one wait returned: sent with the rest
            // once it has, so that the server reads them as a batch.
            _deferred.Add((channel, pending, query));
            return pending.Task;
        }
        SendNow(channel, pending, query);
        return pending.Task;
    }

    private void SendNow(Channel channel, Pending pending, byte[] query)
    {
        query[0] = (byte)(pending.Id >> 8);
        query[1] = (byte)pending.Id;
        try
        {
            channel.Socket.SendTo(query, pending.ServerAddress);
            // The port a query left from, known once one has (two sends racing here add it twice: a set).
            if (!channel.PortCounted && channel.Socket.LocalPort is var port and not 0)
            {
                channel.PortCounted = true;
                _ports.Add(port);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A local error (no route, buffer full), or the transport disposed: to the caller, a server that does
            // not answer. The receiver retires the socket when it is done with it.
            lock (_lock)
                Remove(channel, pending);
            pending.TrySetResult(null);
        }
    }

    private DatagramSockets StartReceiver()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, Owner);
            if (_sockets is not null)
                return _sockets;
            var sockets = _sockets = _createSockets();
            new Thread(() => Receive(sockets)) { IsBackground = true, Name = "dns-udp-receive" }.Start();
            return sockets;
        }
    }

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
            foreach (var (channel, pending, query) in _deferred)
            {
                if (!pending.Task.IsCompleted)   // else ended by a Dispose meanwhile
                    SendNow(channel, pending, query);
            }
            _deferred.Clear();
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

    /// <summary>Under the lock: true once, when the socket has carried its queries and none waits on it.</summary>
    private bool TryRetire(Channel channel)
    {
        if (!channel.IsFull || !channel.IsEmpty || !_open.Remove(channel.Key))
            return false;
        channel.Retired = true;
        ref var current = ref Current(channel.Family);
        if (current == channel)
            current = null;
        return true;
    }

    /// <summary>On the receiver.</summary>
    private void Close(Channel channel)
    {
        channel.Socket.Close();
        _slots.Release();
    }

    private void Shutdown(DatagramSockets sockets)
    {
        Channel[] all;
        lock (_lock)
        {
            all = [.. _open.Values];
            _open.Clear();
            _currentV4 = _currentV6 = null;
        }
        foreach (var channel in all)
            channel.Socket.Close();
        sockets.Dispose();
    }

    public void Dispose()
    {
        var abandoned = new List<Pending>();
        DatagramSockets? sockets;
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var channel in _open.Values)
                channel.TakeAll(abandoned);
            _waiting = 0;
            sockets = _sockets;
        }
        foreach (var pending in abandoned)
            pending.TrySetResult(null);
        sockets?.Wake();   // the receiver sees _disposed, closes the sockets and ends
    }

    private static bool FromServer(SocketAddress from, Pending pending)
    {
        if (from.Equals(pending.ServerAddress))
            return true;
        // Byte-for-byte equality is the fast path; this covers an IPv4 server answering on a mapped address.
        var endpoint = (IPEndPoint)pending.Server.Create(from);
        return endpoint.Port == pending.Server.Port && endpoint.Address.IsIPv4MappedToIPv6 && endpoint.Address.MapToIPv4().Equals(pending.Server.Address);
    }

    /// <summary>
    /// One query waiting for its reply. A class, not a record: two queries for the same question at the same server
    /// must stay two entries. Completed on the receiving thread and continued there: one thread hop fewer per query.
    /// </summary>
    private sealed class Pending(DnsQuestion question, IPEndPoint server, long timeoutTicks, CancellationToken cancellationToken)
        : TaskCompletionSource<DnsReply?>
    {
        public DnsQuestion Question { get; } = question;
        public IPEndPoint Server { get; } = server;
        public long TimeoutTicks { get; } = timeoutTicks;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        /// <summary>In Stopwatch ticks; set when the query gets its socket.</summary>
        public long Deadline { get; set; }
        public SocketAddress ServerAddress { get; set; } = null!;
        public ushort Id { get; set; }
    }

    /// <summary>One short-lived socket and the queries waiting on it. Its state is read and written under the lane's lock.</summary>
    private sealed class Channel(DatagramSocket socket, AddressFamily family, ulong key)
    {
        private readonly Pending?[] _entries = new Pending?[QueriesPerSocket];
        private int _used;

        public DatagramSocket Socket { get; } = socket;
        public AddressFamily Family { get; } = family;
        public ulong Key { get; } = key;
        /// <summary>Out of the open set, closed or about to be: nothing may read it.</summary>
        public bool Retired { get; set; }
        public bool PortCounted { get; set; }

        public bool IsFull => _used >= QueriesPerSocket;

        public bool IsEmpty
        {
            get
            {
                foreach (var entry in _entries)
                {
                    if (entry is not null)
                        return false;
                }
                return true;
            }
        }

        /// <summary>Draws the query an id no other query waiting on this socket has.</summary>
        public void Add(Pending pending, TransactionIds ids)
        {
            _used++;
            do
                pending.Id = ids.Next();
            while (Find(pending.Id) is not null);
            _entries[IndexOf(null)] = pending;
        }

        public Pending? Find(ushort id)
        {
            foreach (var entry in _entries)
            {
                if (entry is not null && entry.Id == id)
                    return entry;
            }
            return null;
        }

        /// <summary>By entry: once answered, the id may already belong to a newer query on this socket.</summary>
        public bool Remove(Pending pending)
        {
            var index = IndexOf(pending);
            if (index < 0)
                return false;
            _entries[index] = null;
            return true;
        }

        /// <summary>Takes out the queries whose time is up or whose caller gave up; returns how many.</summary>
        public int TakeDue(long now, List<Pending> due)
        {
            var taken = 0;
            for (var i = 0; i < _entries.Length; i++)
            {
                if (_entries[i] is { } entry && (entry.Deadline <= now || entry.CancellationToken.IsCancellationRequested))
                {
                    due.Add(entry);
                    _entries[i] = null;
                    taken++;
                }
            }
            return taken;
        }

        public void TakeAll(List<Pending> taken)
        {
            for (var i = 0; i < _entries.Length; i++)
            {
                if (_entries[i] is { } entry)
                    taken.Add(entry);
                _entries[i] = null;
            }
        }

        private int IndexOf(Pending? pending)
        {
            for (var i = 0; i < _entries.Length; i++)
            {
                if (ReferenceEquals(_entries[i], pending))
                    return i;
            }
            return -1;
        }
    }
}
