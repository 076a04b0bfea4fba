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
internal sealed partial class UdpLane : IDisposable
{
    private const int QueriesPerSocket = UdpTransport.QueriesPerSocket;

    private readonly Lock _lock = new();
    private readonly Func<DatagramSockets> _createSockets;
    private readonly Dictionary<ulong, Channel> _open = [];
    private readonly Dictionary<IPEndPoint, SocketAddress> _addresses = [];
    private readonly SemaphoreSlim _slots;
    private readonly TransactionIds _ids = new();
    private readonly SourcePorts _ports;
    private DatagramSockets? _sockets;
    private Channel? _currentV4;
    private Channel? _currentV6;
    private ulong _lastKey;
    private int _waiting;
    private bool _receiverIdle;
    private bool _disposed;
    private long _ignored;

    public UdpLane(UdpTransport owner, Func<DatagramSockets> createSockets, int maxOpenSockets, SourcePorts ports)
    {
        Owner = owner;
        _createSockets = createSockets;
        _slots = new SemaphoreSlim(maxOpenSockets, maxOpenSockets);
        _ports = ports;
    }

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
}
