using System.Net;
using System.Net.Sockets;

namespace Reconciler.Rulesets;

/// <summary>
/// The addresses of one family as sorted, disjoint intervals, adjacent ones joined. Firewalls say the same set in
/// different words (nft merges overlapping and adjacent elements and lists ranges, ipset keeps a /16 and a /17 inside
/// it apart, a /16 may be admitted as two /17s), so what a host admits is compared with what the policies render as
/// addresses, never as the networks written down. Immutable.
/// </summary>
public sealed class AddressSet
{
    private readonly IReadOnlyList<(UInt128 From, UInt128 To)> intervals;

    private AddressSet(int family, IReadOnlyList<(UInt128 From, UInt128 To)> intervals) =>
        (Family, this.intervals) = (family, intervals);

    /// <summary>4 or 6.</summary>
    public int Family { get; }

    public bool IsEmpty => intervals.Count == 0;

    public static AddressSet Empty(int family) => new(family, []);

    public static AddressSet All(int family) => new(family, [(UInt128.Zero, Last(family))]);

    /// <summary>The addresses of the networks of <paramref name="family"/>; networks of the other family are not its.</summary>
    public static AddressSet Of(int family, IEnumerable<IPNetwork> networks)
    {
        var bits = Bits(family);
        var list = new List<(UInt128 From, UInt128 To)>();
        foreach (var network in networks)
        {
            if (FamilyOf(network.BaseAddress) != family)
                continue;
            var from = AddressRanges.Value(network.BaseAddress);
            var span = network.PrefixLength == 0 ? Last(family) : (UInt128.One << (bits - network.PrefixLength)) - 1;
            list.Add((from, from + span));
        }
        return new AddressSet(family, Normal(list));
    }

    public AddressSet Union(AddressSet other) => new(Family, Normal([.. intervals, .. other.intervals]));

    /// <summary>The addresses of this set that <paramref name="other"/> does not hold.</summary>
    public AddressSet Except(AddressSet other)
    {
        var result = new List<(UInt128 From, UInt128 To)>();
        var j = 0;
        foreach (var (start, to) in intervals)
        {
            var from = start;
            var done = false;
            while (j < other.intervals.Count && other.intervals[j].To < from)
                j++;
            for (var k = j; k < other.intervals.Count && other.intervals[k].From <= to; k++)
            {
                var cut = other.intervals[k];
                if (cut.From > from)
                    result.Add((from, cut.From - 1));
                if (cut.To >= to)
                {
                    done = true;
                    break;
                }
                from = cut.To + 1;
            }
            if (!done)
                result.Add((from, to));
        }
        return new AddressSet(Family, result);
    }

    /// <summary>The fewest networks that hold exactly these addresses, in address order.</summary>
    public List<IPNetwork> Networks() =>
        [.. intervals.SelectMany(i => AddressRanges.Cover(AddressRanges.Address(i.From, Bits(Family)), AddressRanges.Address(i.To, Bits(Family))))];

    public override string ToString() => string.Join(", ", Networks().Select(Policies.Validation.Networks.Format));

    private static List<(UInt128 From, UInt128 To)> Normal(List<(UInt128 From, UInt128 To)> list)
    {
        list.Sort();
        var merged = new List<(UInt128 From, UInt128 To)>();
        foreach (var interval in list)
        {
            // Overlapping or adjacent: one interval. (To + 1 cannot overflow once To is the family's last address.)
            if (merged.Count > 0 && (merged[^1].To == UInt128.MaxValue || interval.From <= merged[^1].To + 1))
                merged[^1] = (merged[^1].From, UInt128.Max(merged[^1].To, interval.To));
            else
                merged.Add(interval);
        }
        return merged;
    }

    private static int FamilyOf(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? 4 : 6;

    private static int Bits(int family) => family == 4 ? 32 : 128;

    private static UInt128 Last(int family) => family == 4 ? uint.MaxValue : UInt128.MaxValue;
}
