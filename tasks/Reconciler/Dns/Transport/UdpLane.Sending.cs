using System.Net.Sockets;

namespace Reconciler.Dns.Transport;

/// <summary>
/// Sending a query from its socket, and the batching of what continuations send: a query asked on the receiver
/// thread while it works through one wait's datagrams is held and sent with the rest once it has.
/// </summary>
internal sealed partial class UdpLane
{
    // Only the receiver thread touches these two.
    private readonly List<(Channel Channel, Pending Pending, byte[] Query)> _deferred = [];
    private bool _deferring;

    // The lane whose receiver runs on this thread: a query its continuations send stays on the lane.
    [ThreadStatic]
    private static UdpLane? t_receiving;

    /// <summary>The lane whose receiver thread this is, if any.</summary>
    public static UdpLane? Receiving => t_receiving;

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

    /// <summary>On the receiver, after one wait's datagrams: sends what their continuations asked meanwhile.</summary>
    private void SendDeferred()
    {
        foreach (var (channel, pending, query) in _deferred)
        {
            if (!pending.Task.IsCompleted)   // else ended by a Dispose meanwhile
                SendNow(channel, pending, query);
        }
        _deferred.Clear();
    }
}
