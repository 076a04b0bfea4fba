namespace Reconciler.Policies.Validation;

/// <summary>The nearest known word to a misspelt one, for "unknown key 'hots'; did you mean 'hosts'?".</summary>
public static class DidYouMean
{
    public static string Suffix(string word, IEnumerable<string> known)
    {
        var best = Nearest(word, known);
        return best is null ? "" : $"; did you mean '{best}'?";
    }

    public static string? Nearest(string word, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(word.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
                (best, bestDistance) = (candidate, distance);
        }
        // Beyond a third of the word, a suggestion is noise rather than help.
        return bestDistance <= Math.Max(1, word.Length / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance: Levenshtein plus swapped neighbours ("hsots").</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
