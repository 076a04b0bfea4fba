using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Reconciler.Providers;

/// <summary>
/// Who owns an address: the longest published prefix that holds it wins. Built once per run: one hash table per
/// prefix length in use, so a lookup is a mask and a probe per length (a few dozen at most), not a scan of
/// twenty thousand prefixes.
/// </summary>
public sealed class PrefixIndex
{
    private readonly (int Length, Dictionary<UInt128, List<ProviderPrefix>> Table)[] _v4;
    private readonly (int Length, Dictionary<UInt128, List<ProviderPrefix>> Table)[] _v6;

    public PrefixIndex(IEnumerable<ProviderPrefix> prefixes)
    {
        var all = prefixes.ToList();
        _v4 = Build(all.Where(p => p.Prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork), 32);
        _v6 = Build(all.Where(p => p.Prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6), 128);
    }

    /// <summary>Every owner of the longest prefix holding the address (AWS lists one prefix under AMAZON and EC2…); empty for nobody's.</summary>
    public IReadOnlyList<ProviderPrefix> Owners(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        var (value, bits, tables) = address.AddressFamily == AddressFamily.InterNetwork ? (Value(address), 32, _v4) : (Value(address), 128, _v6);
        foreach (var (length, table) in tables)
        {
            if (table.TryGetValue(Mask(value, length, bits), out var owners))
                return owners;
        }
        return [];
    }

    private static (int, Dictionary<UInt128, List<ProviderPrefix>>)[] Build(IEnumerable<ProviderPrefix> prefixes, int bits) =>
    [
        .. prefixes.GroupBy(p => p.Prefix.PrefixLength).OrderByDescending(g => g.Key).Select(g =>
        {
            var table = new Dictionary<UInt128, List<ProviderPrefix>>();
            foreach (var prefix in g)
            {
                var key = Mask(Value(prefix.Prefix.BaseAddress), g.Key, bits);
                if (!table.TryGetValue(key, out var owners))
                    table[key] = owners = [];
                owners.Add(prefix);
            }
            return (g.Key, table);
        }),
    ];

    private static UInt128 Value(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static UInt128 Mask(UInt128 value, int length, int bits) =>
        length == 0 ? UInt128.Zero : value & ((UInt128.MaxValue >> (128 - bits)) ^ ((UInt128.One << (bits - length)) - 1));
}
