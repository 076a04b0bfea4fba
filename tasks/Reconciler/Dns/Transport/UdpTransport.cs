using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Transport;

/// <summary>
/// Sends queries over a few unconnected UDP sockets and matches replies by transaction id, source address and
/// question; anything else (a wrong id, another sender, a duplicate, garbage) is dropped and the query keeps
/// waiting. Queries are spread over the sockets so that no single socket floods a server's receive buffer,
/// and each socket is retired after <see cref="QueriesPerSocket"/> queries, so source ports keep changing.
/// </summary>
public sealed class UdpTransport : IAsyncDisposable
{
    public const int QueriesPerSocket = 256;
    private const int SocketsPerFamily = 4;

    private readonly Lock _lock = new();
    private readonly Dictionary<AddressFamily, Channel[]> _channels = [];
    private int _next;
    private bool _disposed;

    /// <summary>Datagrams that arrived but answered no query of ours (for tests and diagnostics).</summary>
    public long Ignored => Interlocked.Read(ref _ignored);
    private long _ignored;

    /// <summary>The reply's bytes, or null when none that answers the query came within the timeout.</summary>
    public async Task<byte[]?> ExchangeAsync(byte[] query, DnsQuestion question, IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (channel, pending, id) = Register(server, question);
        query[0] = (byte)(id >> 8);
        query[1] = (byte)id;
        try
        {
            await channel.Socket.SendToAsync(query, SocketFlags.None, server, cancellationToken).ConfigureAwait(false);
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
            channel.Release(id);
        }
    }

    private (Channel, Pending, ushort) Register(IPEndPoint server, DnsQuestion question)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_channels.TryGetValue(server.AddressFamily, out var channels))
                _channels[server.AddressFamily] = channels = new Channel[SocketsPerFamily];
            var slot = _next++ % SocketsPerFamily;
            if (channels[slot] is not { IsRetiring: false } channel)
                channels[slot] = channel = new Channel(this, server.AddressFamily);
            var pending = new Pending(server, question);
            var id = channel.Add(pending);
            return (channel, pending, id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel[] all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _channels.Values.SelectMany(c => c).OfType<Channel>()];
        }
        foreach (var channel in all)
            await channel.CloseAsync().ConfigureAwait(false);
    }

    private sealed record Pending(IPEndPoint Server, DnsQuestion Question)
    {
        public TaskCompletionSource<byte[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One socket, its receive loop and the queries waiting on it.</summary>
    private sealed class Channel
    {
        private readonly UdpTransport _owner;
        private readonly ConcurrentDictionary<ushort, Pending> _pending = new();
        private readonly Task _receiving;
        private int _used;

        public Channel(UdpTransport owner, AddressFamily family)
        {
            _owner = owner;
            Socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
            Socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            _receiving = Task.Run(ReceiveLoopAsync);
        }

        public Socket Socket { get; }

        public bool IsRetiring => _used >= QueriesPerSocket;

        public ushort Add(Pending pending)
        {
            _used++;
            while (true)
            {
                var id = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
                if (_pending.TryAdd(id, pending))
                    return id;
            }
        }

        public void Release(ushort id)
        {
            _pending.TryRemove(id, out _);
            if (IsRetiring && _pending.IsEmpty)
                _ = CloseAsync();
        }

        public async Task CloseAsync()
        {
            Socket.Close();
            try
            {
                await _receiving.ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The loop ends by its socket being closed.
            }
        }

        private async Task ReceiveLoopAsync()
        {
            var buffer = new byte[65535];
            EndPoint any = new IPEndPoint(Socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            while (true)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await Socket.ReceiveFromAsync(buffer, SocketFlags.None, any).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    continue;   // an ICMP error for an earlier datagram; the socket is still good
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                var reply = buffer.AsSpan(0, received.ReceivedBytes);
                var id = reply.Length >= 2 ? (ushort)(reply[0] << 8 | reply[1]) : (ushort)0;
                // Taking the query out as it is answered makes a duplicate reply an unknown one.
                if (reply.Length >= 2
                    && _pending.TryGetValue(id, out var pending)
                    && received.RemoteEndPoint is IPEndPoint from
                    && SameEndpoint(from, pending.Server)
                    && ReplyFilter.Answers(reply, id, pending.Question)
                    && _pending.TryRemove(KeyValuePair.Create(id, pending)))
                {
                    pending.Completion.TrySetResult(reply.ToArray());
                }
                else
                {
                    Interlocked.Increment(ref _owner._ignored);
                }
            }
        }

        private static bool SameEndpoint(IPEndPoint from, IPEndPoint server) =>
            from.Port == server.Port && (from.Address.Equals(server.Address) || (from.Address.IsIPv4MappedToIPv6 && from.Address.MapToIPv4().Equals(server.Address)));
    }
}
