using System.Text;

namespace Reconciler.Import;

/// <summary>
/// Names for drafted dependencies and allowlists: [a-z0-9-], at most 63 characters, unique across the drafts and
/// the policies already in the folder (a second use gets -2, -3…).
/// </summary>
public sealed class DraftNames(IEnumerable<string> taken)
{
    private readonly HashSet<string> _taken = new(taken, StringComparer.Ordinal);

    public string Claim(string wanted, string fallback)
    {
        var name = Slug(wanted);
        if (name.Length == 0)
            name = Slug(fallback);
        var unique = name;
        for (var n = 2; !_taken.Add(unique); n++)
        {
            var suffix = "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            unique = name[..Math.Min(name.Length, 63 - suffix.Length)].TrimEnd('-') + suffix;
        }
        return unique;
    }

    /// <summary>Lower case; every run of other characters one hyphen; no hyphen at either end.</summary>
    public static string Slug(string text)
    {
        var slug = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
                slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-')
                slug.Append('-');
        }
        var result = slug.ToString().Trim('-');
        return result.Length <= 63 ? result : result[..63].TrimEnd('-');
    }
}
