using System.Net;
using System.Net.Sockets;

namespace Reconciler.Dns.Transport;

/// <summary>
/// Short-lived UDP sockets, each on a port the kernel picks at random, and one wait for any of them to have a
/// datagram. One thread waits, reads and closes; any thread opens and sends. Keys of sockets closed since may
/// still come back from a wait: the caller checks them.
/// </summary>
internal abstract class DatagramSockets : IDisposable
{
    /// <summary>
    /// On Linux, raw sockets and epoll (README, DNS: a socket costs its own system calls and a wait what is ready);
    /// elsewhere .NET's sockets and poll.
    /// </summary>
    public static DatagramSockets Create() => (DatagramSockets?)LinuxDatagramSockets.TryCreate() ?? new PortableDatagramSockets();

    /// <summary>A socket of the family, in the set under the key.</summary>
    public abstract DatagramSocket Open(AddressFamily family, ulong key);

    /// <summary>Fills <paramref name="ready"/> with the keys of sockets that can be read; 0 on a timeout or a wake.</summary>
    public abstract int Wait(ulong[] ready, int timeoutMilliseconds);

    /// <summary>Makes a <see cref="Wait"/> under way return now.</summary>
    public abstract void Wake();

    /// <summary>On the waiting thread, once it has stopped waiting and closed its sockets.</summary>
    public abstract void Dispose();
}

/// <summary>One unconnected UDP socket: a datagram from anyone reaches it, and the caller decides whom to believe.</summary>
internal abstract class DatagramSocket
{
    /// <summary>The local port, once known (a raw socket gets it at its first send); 0 before. Never a system call.</summary>
    public abstract int LocalPort { get; }

    /// <summary>Throws SocketException for a local error, ObjectDisposedException once closed.</summary>
    public abstract void SendTo(ReadOnlySpan<byte> datagram, SocketAddress to);

    /// <summary>
    /// One datagram and who sent it, or -1 when none is there (without blocking, and without an exception: the
    /// caller asks again on a socket it expects more on). On the waiting thread.
    /// </summary>
    public abstract int TryReceiveFrom(Span<byte> buffer, SocketAddress from);

    /// <summary>On the waiting thread.</summary>
    public abstract void Close();

    /// <summary>Port 0 at any address: the kernel picks a random ephemeral port.</summary>
    public static IPEndPoint AnyOf(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
}
