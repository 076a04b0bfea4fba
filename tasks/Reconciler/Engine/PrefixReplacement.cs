using System.Net;
using System.Net.Sockets;
using Reconciler.Policies.Validation;

namespace Reconciler.Engine;

/// <summary>
/// How held prefixes follow a provider's feed when the provider replaces one, for prefix sets and rules alike: a held
/// prefix that is no longer published goes, and every published prefix inside it comes in the same change; what a
/// change adds is judged against what stays after its own removals. So a split or narrowed prefix never leaves
/// published space unadmitted between two pull requests, and the merged change plans clean (README "Provider feeds").
/// Pure.
/// </summary>
public static class PrefixReplacement
{
    /// <summary>
    /// The part of <paramref name="withdrawn"/> that no published prefix covers, as CIDR blocks: what removing it
    /// really takes away. Empty when the provider split it into prefixes that cover it whole.
    /// </summary>
    public static IReadOnlyList<IPNetwork> Remainder(IPNetwork withdrawn, IEnumerable<IPNetwork> published)
    {
        var inside = published.Where(p => Overlap(withdrawn, p)).ToList();
        var remainder = new List<IPNetwork>();
        Subtract(withdrawn, inside, remainder);
        return remainder;
    }

    /// <summary>Published prefixes inside <paramref name="withdrawn"/>: what replaces it.</summary>
    public static IReadOnlyList<IPNetwork> Replacements(IPNetwork withdrawn, IEnumerable<IPNetwork> published) =>
        [.. published.Where(p => Networks.Covers(withdrawn, p) && !p.Equals(withdrawn))];

    /// <summary>
    /// The published prefixes that what stays does not cover: the additions of a change whose removals leave
    /// <paramref name="staying"/>. A prefix inside another one added is added too: the admission gate may refuse the
    /// wider one, and the narrower must not be lost with it.
    /// </summary>
    public static IReadOnlyList<IPNetwork> Additions(IEnumerable<IPNetwork> published, IEnumerable<IPNetwork> staying)
    {
        var kept = staying.ToList();
        return [.. published.Distinct().Where(p => !kept.Any(k => Networks.Covers(k, p)))];
    }

    private static bool Overlap(IPNetwork a, IPNetwork b) => Networks.Covers(a, b) || Networks.Covers(b, a);

    private static void Subtract(IPNetwork block, List<IPNetwork> published, List<IPNetwork> remainder)
    {
        if (published.Any(p => Networks.Covers(p, block)))
            return;
        var overlapping = published.Where(p => Networks.Covers(block, p)).ToList();
        if (overlapping.Count == 0)
        {
            remainder.Add(block);
            return;
        }
        // Some published prefix lies strictly inside: halve and look again; depth is bounded by the address length.
        foreach (var half in Halves(block))
            Subtract(half, overlapping, remainder);
    }

    private static IEnumerable<IPNetwork> Halves(IPNetwork block)
    {
        var length = block.PrefixLength + 1;
        var low = block.BaseAddress.GetAddressBytes();
        var high = (byte[])low.Clone();
        var bit = block.PrefixLength;
        high[bit / 8] |= (byte)(0x80 >> (bit % 8));
        yield return new IPNetwork(new IPAddress(low), length);
        yield return new IPNetwork(new IPAddress(high), length);
    }

    /// <summary>How many addresses the blocks hold, for messages (IPv6 in powers of two).</summary>
    public static string Size(IReadOnlyList<IPNetwork> blocks)
    {
        if (blocks.Count == 0)
            return "no addresses";
        if (blocks.All(b => b.BaseAddress.AddressFamily == AddressFamily.InterNetwork))
            return $"{blocks.Sum(b => Math.Pow(2, 32 - b.PrefixLength)):N0} addresses";
        return string.Join(" + ", blocks.Select(b => b.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? $"2^{32 - b.PrefixLength}" : $"2^{128 - b.PrefixLength}")) + " addresses";
    }
}
