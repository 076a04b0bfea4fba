using System.Buffers.Binary;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Wire;

/// <summary>Encodes a one-question query, with an EDNS(0) OPT record advertising our UDP payload size.</summary>
public static class DnsQueryWriter
{
    /// <summary>The size the DNS flag day 2020 settled on: fits any path MTU without fragments.</summary>
    public const ushort DefaultUdpPayloadSize = 1232;

    public static byte[] Write(ushort id, DnsQuestion question, bool recursionDesired = true, ushort? ednsUdpPayloadSize = DefaultUdpPayloadSize)
    {
        // The name's labels as they are: a name read from an answer goes out byte for byte (README "DNS").
        var name = question.Name.Wire;
        var nameLength = name.Length;
        var buffer = new byte[DnsHeader.Size + nameLength + 4 + (ednsUdpPayloadSize is null ? 0 : 11)];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, id);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], recursionDesired ? DnsHeader.RecursionDesiredFlag : (ushort)0);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)(ednsUdpPayloadSize is null ? 0 : 1));
        name.CopyTo(span[DnsHeader.Size..]);
        var offset = DnsHeader.Size + nameLength;
        BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)question.Type);
        BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 2)..], question.Class);
        offset += 4;
        if (ednsUdpPayloadSize is { } size)
        {
            // Root owner name, TYPE=OPT, CLASS=payload size, TTL=0 (no extended rcode, version 0, no DO), no options.
            span[offset] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 1)..], (ushort)RecordType.OPT);
            BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 3)..], size);
        }
        return buffer;
    }
}
