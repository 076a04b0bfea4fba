using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Transport;

/// <summary>DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message behind a two-byte length; one connection per query.</summary>
public static class TcpTransport
{
    /// <summary>The reply, or null when the server did not answer our query in time.</summary>
    public static async Task<DnsReply?> ExchangeAsync(byte[] query, DnsQuestion question, IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
        query[0] = (byte)(id >> 8);
        query[1] = (byte)id;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, deadline.Token).ConfigureAwait(false);
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await socket.SendAsync(framed, SocketFlags.None, deadline.Token).ConfigureAwait(false);

            // A server may send other messages first (RFC 7766 §7); read until ours or the deadline.
            while (true)
            {
                var length = new byte[2];
                if (!await ReadExactlyAsync(socket, length, deadline.Token).ConfigureAwait(false))
                    return null;
                var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                if (!await ReadExactlyAsync(socket, reply, deadline.Token).ConfigureAwait(false))
                    return null;
                if (ReplyFilter.Match(reply, id, question) is { } matched)
                    return matched;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }
}
