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
        var top = bits == 32 ? uint.MaxValue : UInt128.MaxValue;
        var networks = new List<IPNetwork>();
        while (from <= to && networks.Count < 256)
        {
            // The shortest prefix that starts at FROM and ends within TO; a whole IPv6 space is a /0 (a shift by 128 would wrap).
            var length = from == 0 && to == top ? 0 : bits;
            while (length > 1)
            {
                var size = UInt128.One << (bits - length + 1);
                if ((from & (size - 1)) != 0 || from + size - 1 > to)
                    break;
                length--;
            }
            networks.Add(new IPNetwork(Address(from, bits), length));
            var end = length == 0 ? top : from + (UInt128.One << (bits - length)) - 1;
            if (end == top)
                break;
            from = end + 1;
        }
        return networks;
    }

    internal static UInt128 Value(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    internal static IPAddress Address(UInt128 value, int bits)
    {
        var bytes = new byte[bits / 8];
        if (bits == 32)
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        else
            BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
