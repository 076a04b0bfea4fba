using System.Net;
using System.Net.Sockets;

namespace Reconciler.Dns.Transport;

/// <summary>
/// .NET's sockets, blocking, bound to port 0, waited on with poll (Socket.Select) wherever .NET runs: each wait
/// passes every open socket, so one opened while a wait is under way is seen once a datagram to a wake socket
/// ends that wait. (An asynchronous receive per socket would cost an epoll registration of .NET's own, a failed
/// read and a thread-pool hop per socket.)
/// </summary>
internal sealed class PortableDatagramSockets : DatagramSockets
{
    private static readonly byte[] Nudge = [0];
    private readonly Lock _lock = new();
    private readonly Dictionary<Socket, ulong> _sockets = [];
    private readonly List<Socket> _ready = [];
    private readonly byte[] _drain = new byte[16];
    private readonly Socket _wake;
    private readonly SocketAddress _wakeAddress;
    private bool _waiting;
    private bool _woken;

    public PortableDatagramSockets()
    {
        _wake = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _wake.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _wakeAddress = _wake.LocalEndPoint!.Serialize();
    }

    public override DatagramSocket Open(AddressFamily family, ulong key)
    {
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        int port;
        try
        {
            socket.Bind(DatagramSocket.AnyOf(family));
            port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        }
        catch
        {
            socket.Close();
            throw;
        }
        bool wake;
        lock (_lock)
        {
            _sockets.Add(socket, key);
            wake = _waiting && !_woken;
            _woken |= wake;
        }
        if (wake)
            Wake();
        return new PortableSocket(this, socket, port);
    }

    public override int Wait(ulong[] ready, int timeoutMilliseconds)
    {
        lock (_lock)
        {
            _ready.Clear();
            _ready.Add(_wake);
            _ready.AddRange(_sockets.Keys);
            _waiting = true;
            _woken = false;
        }
        try
        {
            Socket.Select(_ready, null, null, timeoutMilliseconds < 0 ? -1 : timeoutMilliseconds * 1000);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _ready.Clear();   // a socket opened and closed again by a query that lost a race to open: look again
        }
        var count = 0;
        lock (_lock)
        {
            _waiting = false;
            foreach (var socket in _ready)
            {
                if (socket == _wake)
                    Drain();
                else if (count < ready.Length && _sockets.TryGetValue(socket, out var key))
                    ready[count++] = key;
            }
        }
        return count;
    }

    public override void Wake()
    {
        try
        {
            _wake.SendTo(Nudge, SocketFlags.None, _wakeAddress);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // No loopback, or disposed: the waiter looks again when its timeout ends.
        }
    }

    public override void Dispose() => _wake.Close();

    private void Drain()
    {
        try
        {
            while (_wake.Available > 0)
                _wake.Receive(_drain);
        }
        catch (SocketException)
        {
        }
    }

    private sealed class PortableSocket(PortableDatagramSockets owner, Socket socket, int port) : DatagramSocket
    {
        public override int LocalPort => port;

        public override void SendTo(ReadOnlySpan<byte> datagram, SocketAddress to) => socket.SendTo(datagram, SocketFlags.None, to);

        // Blocking sockets: ask the kernel first, so that a read for a datagram not yet there does not wait.
        public override int TryReceiveFrom(Span<byte> buffer, SocketAddress from) =>
            socket.Available > 0 ? socket.ReceiveFrom(buffer, SocketFlags.None, from) : -1;

        public override void Close()
        {
            lock (owner._lock)
                owner._sockets.Remove(socket);
            socket.Close();
        }
    }
}
