using Reconciler.Observe;

namespace Reconciler.Memory;

/// <summary>
/// How many successful answers of one address family a host has given, and the fewest and most addresses one carried:
/// what the proof for a rotating pool counts with (README, "Rotating pools"). <see cref="SinceNew"/>: the answers since
/// the host last gave an address never seen before, the only ones that speak of an address never seen at all (the
/// pool may have taken it in since the earlier answers were drawn).
/// </summary>
public sealed record AnswerSizes(int Answers, int Smallest, int Largest, int SinceNew = 0)
{
    public static bool IsIPv6(string address) => address.Contains(':', StringComparison.Ordinal);

    /// <summary>
    /// One run's successful answers of a family. An answer is one sample at one server; identical answers of one
    /// server with a TTL above zero count once, because a cache may have served them all from one draw of the pool.
    /// Answers of TTL 0 were drawn afresh and each counts. Null when the run gave no address of the family.
    /// </summary>
    public static AnswerSizes? Count(IEnumerable<Observation> succeeded, bool ipv6)
    {
        int answers = 0, smallest = int.MaxValue, largest = 0;
        var cached = new HashSet<string>(StringComparer.Ordinal);
        foreach (var observation in succeeded)
        {
            var addresses = observation.Addresses.Where(a => IsIPv6(a.Address) == ipv6).ToList();
            var distinct = addresses.Select(a => a.Address).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (distinct.Count == 0)
                continue;
            if (addresses.Any(a => a.Ttl > 0) && !cached.Add(observation.Server + " " + string.Join(",", distinct)))
                continue;
            answers++;
            smallest = Math.Min(smallest, distinct.Count);
            largest = Math.Max(largest, distinct.Count);
        }
        return answers == 0 ? null : new AnswerSizes(answers, smallest, largest, 0);
    }

    /// <summary>What was known, and one more run's answers; <paramref name="discovered"/>: the run gave an address of the family never seen before.</summary>
    public static AnswerSizes? Join(AnswerSizes? known, AnswerSizes? run, bool discovered) =>
        known is null ? run : run is null ? known
            : new AnswerSizes(Add(known.Answers, run.Answers), Math.Min(known.Smallest, run.Smallest), Math.Max(known.Largest, run.Largest), discovered ? 0 : Add(known.SinceNew, run.Answers));

    /// <summary>
    /// Two memories of one host that grew from one file: the larger count (each counted only its own runs, so the sum
    /// would count the runs before them twice), the fewest and the most addresses either saw. The answers since a new
    /// address are the larger count's when both know the same addresses, else the fewer (one of them saw a new one).
    /// </summary>
    public static AnswerSizes? Merge(AnswerSizes? a, AnswerSizes? b, bool sameAddresses) =>
        a is null ? b : b is null ? a : new AnswerSizes(Math.Max(a.Answers, b.Answers), Math.Min(a.Smallest, b.Smallest), Math.Max(a.Largest, b.Largest),
            sameAddresses ? (a.Answers >= b.Answers ? a.SinceNew : b.SinceNew) : Math.Min(a.SinceNew, b.SinceNew));

    public static bool SameShape(AnswerSizes? a, AnswerSizes? b) =>
        a is null ? b is null : b is not null && a.Smallest == b.Smallest && a.Largest == b.Largest;

    /// <summary>A count that stops at int.MaxValue rather than wrapping to a negative (a count too small only makes a removal wait).</summary>
    public static int Add(int a, int b) => (int)Math.Min(int.MaxValue, (long)a + b);
}
