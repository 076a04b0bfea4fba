using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Reconciler.Rulesets;

/// <summary>The fewest networks that together hold exactly the addresses FIRST to LAST.</summary>
public static class AddressRanges
{
    public static List<IPNetwork> Cover(IPAddress first, IPAddress last)
    {
        var bits = first.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var (from, to) = (Value(first), Value(last));
        if (from > to)
            (from, to) = (to, from);
        var networks = new List<IPNetwork>();
        while (from <= to && networks.Count < 256)
        {
            var length = bits;
            while (length > 0)
            {
                var size = UInt128.One << (bits - length + 1);
                if ((from & (size - 1)) != 0 || from + size - 1 > to || size == 0)
                    break;
                length--;
            }
            networks.Add(new IPNetwork(Address(from, bits), length));
            var span = UInt128.One << (bits - length);
            if (from + span - 1 == (bits == 32 ? uint.MaxValue : UInt128.MaxValue))
                break;
            from += span;
        }
        return networks;
    }

    private static UInt128 Value(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress Address(UInt128 value, int bits)
    {
        var bytes = new byte[bits / 8];
        if (bits == 32)
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        else
            BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
