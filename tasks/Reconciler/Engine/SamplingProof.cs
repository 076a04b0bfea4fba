using System.Globalization;
using System.Net;
using Reconciler.Memory;

namespace Reconciler.Engine;

/// <summary>
/// The second half of a removal's proof for a host whose pool rotates (README, "Rotating pools"). The model: while an
/// address is served, each answer is k addresses drawn uniformly from the pool. Since the destination was last seen
/// the host gave m answers of at least k addresses, together showing s other addresses. If an address inside the
/// destination were still served from a pool of n (n ≥ s + 1), the chance that m answers all stay within some s
/// addresses of the pool and miss it is at most C(n−1, s)·(C(s, k)/C(n, k))^m; the proof takes the largest value over
/// every n, so no estimate of the pool can be too small (at n = s + 1 it is (1 − k/(s+1))^m, the bound of a pool of
/// exactly what was seen; larger pools would have shown more than s addresses). Removal needs it below one in a million.
/// </summary>
public static class SamplingProof
{
    /// <summary>A still-served address may stay unseen with at most this chance when its removal is proposed.</summary>
    public const double Threshold = 1e-6;

    /// <summary>What the proof found for one host and destination.</summary>
    /// <param name="Answers">Answers of the host since anything inside the destination was last seen (m); for a destination never seen, since the host last gave a new address.</param>
    /// <param name="Smallest">The fewest addresses one of the host's answers carried (k).</param>
    /// <param name="Others">Addresses the host gave since (s): the pool is at least one more.</param>
    /// <param name="Chance">The bound on the chance that a still-served address stays unseen that long.</param>
    /// <param name="AtLeast">Chance is only the bound of a pool of exactly s + 1, already too large: the true bound is no smaller.</param>
    public sealed record Verdict(string Host, int Answers, int Smallest, int Others, double Chance, bool AtLeast = false)
    {
        public bool Proven => !AtLeast && Chance < Threshold;

        public string Describe() =>
            $"{Host} rotates: 0 of {Answers} answers of ≥ {Smallest} since, which showed {Others} other addresses (a pool of ≥ {Others + 1}): "
            + $"a still-served address stays unseen that long with probability {(AtLeast ? "≥" : "≤")} {Chance.ToString("0.0e0", CultureInfo.InvariantCulture)} "
            + (Proven ? $"(< {Threshold.ToString("0e0", CultureInfo.InvariantCulture)})" : $"(removal needs < {Threshold.ToString("0e0", CultureInfo.InvariantCulture)}; about {MoreNeeded(this)} more answers)");
    }

    /// <summary>The verdict for <paramref name="destination"/> at one host; null when the host's pool does not rotate in that family.</summary>
    public static Verdict? Judge(string name, HostMemory host, IPNetwork destination)
    {
        var ipv6 = destination.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!host.Rotates(ipv6) || host.SizesOf(ipv6) is not { } sizes)
            return null;
        var single = destination.PrefixLength == (ipv6 ? 128 : 32) ? destination.BaseAddress.ToString() : null;
        var family = host.Addresses.Where(a => AnswerSizes.IsIPv6(a.Key) == ipv6)
            .Select(a => (Seen: a.Value, Inside: single is not null ? a.Key == single : destination.Contains(IPAddress.Parse(a.Key)))).ToList();
        DateTimeOffset? lastSeen = null;
        // Never seen: only the answers since the pool last showed a new address count (it may have joined since).
        var missed = sizes.SinceNew;
        foreach (var (seen, inside) in family.Where(a => a.Inside))
        {
            missed = lastSeen is null ? seen.Missed : Math.Min(missed, seen.Missed);
            if (lastSeen is null || seen.LastSeen > lastSeen)
                lastSeen = seen.LastSeen;
        }
        // Seen since: every address of the family last seen after the destination was (all of them, if it never was).
        var others = family.Count(a => !a.Inside && (lastSeen is null || a.Seen.LastSeen > lastSeen));
        var k = Math.Min(sizes.Smallest, Math.Max(1, others));
        // The bound of the smallest pool is a floor of the largest; when it already fails, the search is not needed.
        var floor = missed <= 0 || others <= 0 ? 1 : Math.Pow((double)(others + 1 - k) / (others + 1), missed);
        return floor >= Threshold
            ? new Verdict(name, missed, sizes.Smallest, others, floor, AtLeast: true)
            : new Verdict(name, missed, sizes.Smallest, others, Chance(missed, others, sizes.Smallest));
    }

    /// <summary>
    /// max over n ≥ s+1 of C(n−1, s)·(C(s, k)/C(n, k))^m, capped at 1; worked in logarithms, n stepped up until the
    /// terms have fallen far below the largest (they fall for good once n is past the peak, when k·m > s).
    /// </summary>
    public static double Chance(int m, int s, int k)
    {
        if (m <= 0 || s <= 0)
            return m <= 0 ? 1 : 0; // s = 0 after m ≥ 1 answers cannot happen: every answer shows an address
        k = Math.Min(k, s);
        if ((long)k * m <= s)
            return 1; // so few draws would leave a large pool unseen as easily: nothing is proven
        // At n = s+1: C(s, s) = 1 and C(s,k)/C(s+1,k) = (s+1−k)/(s+1).
        var n = s + 1;
        var logChoose = 0.0;                               // log C(n−1, s)
        var logRatio = Math.Log((double)(s + 1 - k) / (s + 1)); // log C(s,k)/C(n,k)
        var term = logChoose + m * logRatio;
        var best = term;
        for (var step = 0; step < 1_000_000; step++)
        {
            // n → n+1: C(n, s)/C(n−1, s) = n/(n−s); C(n,k)/C(n+1,k) = (n+1−k)/(n+1).
            logChoose += Math.Log((double)n / (n - s));
            logRatio += Math.Log((double)(n + 1 - k) / (n + 1));
            n++;
            var next = logChoose + m * logRatio;
            if (next > best)
                best = next;
            else if (next < term && next < best - 40)
                break;
            term = next;
        }
        return Math.Min(1, Math.Exp(best));
    }

    /// <summary>Roughly how many more answers would bring the bound under the threshold (for the evidence only).</summary>
    private static int MoreNeeded(Verdict verdict)
    {
        var k = Math.Max(1, verdict.Smallest);
        var pool = verdict.Others + 1.0;
        if (k >= pool)
            return 0;
        var needed = Math.Log(Threshold) / Math.Log(1 - k / pool);
        return (int)Math.Max(1, Math.Ceiling(needed) - verdict.Answers);
    }
}
