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
        Span<byte> name = stackalloc byte[DnsWireReader.MaxNameOctets];
        var nameLength = WriteName(question.Name, name);
        var buffer = new byte[DnsHeader.Size + nameLength + 4 + (ednsUdpPayloadSize is null ? 0 : 11)];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, id);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], recursionDesired ? DnsHeader.RecursionDesiredFlag : (ushort)0);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)(ednsUdpPayloadSize is null ? 0 : 1));
        name[..nameLength].CopyTo(span[DnsHeader.Size..]);
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

    /// <summary>Writes a name as uncompressed labels; throws <see cref="ArgumentException"/> for one DNS cannot carry.</summary>
    public static int WriteName(string name, Span<byte> destination)
    {
        var offset = 0;
        var rest = name.AsSpan();
        if (rest.EndsWith('.'))
            rest = rest[..^1];
        while (rest.Length > 0)
        {
            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            if (label.Length is 0 or > 63 || label.ContainsAnyExceptInRange('\0', '\u007F'))
                throw new ArgumentException($"'{name}' cannot be sent as a DNS name (empty, long or non-ASCII label)", nameof(name));
            if (offset + 1 + label.Length + 1 > DnsWireReader.MaxNameOctets)
                throw new ArgumentException($"'{name}' is longer than {DnsWireReader.MaxNameOctets} octets on the wire", nameof(name));
            destination[offset++] = (byte)label.Length;
            foreach (var c in label)
                destination[offset++] = (byte)c;
            if (dot < 0)
                break;
            rest = rest[(dot + 1)..];
            if (rest.Length == 0)
                throw new ArgumentException($"'{name}' cannot be sent as a DNS name (empty, long or non-ASCII label)", nameof(name));
        }
        destination[offset++] = 0;
        return offset;
    }
}
