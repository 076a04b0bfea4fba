using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Reconciler.Tests.Support;

/// <summary>
/// A DNS server on loopback that answers however a test tells it to, to prove the client survives servers
/// that misbehave. UDP and TCP share one port; <see cref="Stranger"/> sends from another port (a spoofer).
/// </summary>
internal sealed class ScriptedDnsServer : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _stranger = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    /// <param name="onUdp">Given the query and the sender, sends whatever replies it likes (or none).</param>
    /// <param name="onTcp">Given the query, the reply to write back over TCP (null: close).</param>
    public ScriptedDnsServer(Func<ScriptedDnsServer, byte[], EndPoint, Task> onUdp, Func<byte[], byte[]?>? onTcp = null)
    {
        (_udp, _tcp) = BindUdpAndTcpOnOnePort();
        _stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Endpoint = (IPEndPoint)_udp.LocalEndPoint!;
        _udpLoop = Task.Run(() => UdpLoop(onUdp));
        _tcpLoop = Task.Run(() => TcpLoop(onTcp ?? (_ => null)));
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>A free UDP port whose TCP twin is free too: another test's connection may hold the TCP one, so try again.</summary>
    private static (Socket Udp, TcpListener Tcp) BindUdpAndTcpOnOnePort()
    {
        while (true)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var tcp = new TcpListener(IPAddress.Loopback, ((IPEndPoint)udp.LocalEndPoint!).Port);
            try
            {
                tcp.Start();
                return (udp, tcp);
            }
            catch (SocketException)
            {
                udp.Dispose();
            }
        }
    }

    public int QueriesSeen => _queries;
    private int _queries;

    public Task Reply(byte[] bytes, EndPoint to) => _udp.SendToAsync(bytes, SocketFlags.None, to);

    public Task Stranger(byte[] bytes, EndPoint to) => _stranger.SendToAsync(bytes, SocketFlags.None, to);

    private async Task UdpLoop(Func<ScriptedDnsServer, byte[], EndPoint, Task> onUdp)
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _queries);
            await onUdp(this, buffer[..received.ReceivedBytes], received.RemoteEndPoint);
        }
    }

    private async Task TcpLoop(Func<byte[], byte[]?> onTcp)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                var length = new byte[2];
                await stream.ReadExactlyAsync(length, _stop.Token);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(query, _stop.Token);
                if (onTcp(query) is { } reply)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)reply.Length);
                    await stream.WriteAsync(length, _stop.Token);
                    await stream.WriteAsync(reply, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException or EndOfStreamException)
            {
                if (_stop.IsCancellationRequested)
                    return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Close();
        _stranger.Close();
        _tcp.Stop();
        await Task.WhenAll(_udpLoop, _tcpLoop);
        _stop.Dispose();
    }
}

/// <summary>Builds replies to a query, right or deliberately wrong.</summary>
internal static class Replies
{
    /// <summary>A NOERROR reply that copies the query's id and question and answers it with A records (TTL 60).</summary>
    public static byte[] Answer(byte[] query, params string[] addresses) => Build(query, truncated: false, addresses);

    public static byte[] Truncated(byte[] query) => Build(query, truncated: true, []);

    public static byte[] WithId(byte[] reply, ushort id)
    {
        var copy = (byte[])reply.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy, id);
        return copy;
    }

    public static ushort IdOf(byte[] message) => BinaryPrimitives.ReadUInt16BigEndian(message);

    private static byte[] Build(byte[] query, bool truncated, string[] addresses)
    {
        var questionEnd = 12;
        while (query[questionEnd] != 0)
            questionEnd += query[questionEnd] + 1;
        questionEnd += 5;
        var reply = new List<byte>(query[..questionEnd]);
        reply[2] = (byte)(0x84 | (truncated ? 0x02 : 0) | (query[2] & 0x01));
        reply[3] = 0;
        reply[6] = 0;
        reply[7] = (byte)addresses.Length;
        reply[10] = 0;
        reply[11] = 0;
        foreach (var address in addresses)
        {
            reply.AddRange([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            reply.AddRange(IPAddress.Parse(address).GetAddressBytes());
        }
        return [.. reply];
    }
}
