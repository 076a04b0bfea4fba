using System.Globalization;

namespace Reconciler.Policies.Validation;

/// <summary>
/// The Public Suffix List (<c>public_suffix_list.dat</c>, shipped as data: README "Review of policy pull requests"):
/// the names under which anyone may register a name of their own, such as <c>com</c>, <c>co.uk</c> and, from the
/// list's private section, <c>github.io</c> or <c>s3.amazonaws.com</c>. A proxy domain at or above one of them
/// admits names that strangers own. Matching follows the list's own rules: the longest matching rule wins, a
/// <c>*.</c> rule matches any one label in its place, a <c>!</c> exception beats every other rule and makes its
/// parent the suffix, and a name no rule matches has its last label as its suffix. Pure once loaded.
/// </summary>
public sealed class PublicSuffixes
{
    private const string ResourceName = "Reconciler.Policies.Validation.public_suffix_list.dat";

    private static readonly IdnMapping Idn = new() { AllowUnassigned = true };
    private static readonly Lazy<PublicSuffixes> BuiltIn = new(() =>
    {
        using var stream = typeof(PublicSuffixes).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the library lacks its embedded {ResourceName}");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    });

    private readonly HashSet<string> _exact;
    private readonly HashSet<string> _wildcardParents;
    private readonly HashSet<string> _exceptions;
    /// <summary>Every name that has a listed suffix strictly below it, with one such rule to name in messages.</summary>
    private readonly Dictionary<string, string> _ancestors;

    private PublicSuffixes(HashSet<string> exact, HashSet<string> wildcardParents, HashSet<string> exceptions)
    {
        _exact = exact;
        _wildcardParents = wildcardParents;
        _exceptions = exceptions;
        _ancestors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rule in exact.Concat(wildcardParents.Select(p => "*." + p)).Order(StringComparer.Ordinal))
        {
            for (var dot = rule.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = rule.IndexOf('.', dot + 1))
                _ancestors.TryAdd(rule[(dot + 1)..], rule);
        }
    }

    /// <summary>The list built into the library (both its ICANN and its private section).</summary>
    public static PublicSuffixes Default => BuiltIn.Value;

    public int Count => _exact.Count + _wildcardParents.Count + _exceptions.Count;

    /// <summary>Reads the list's text: one rule a line, <c>//</c> comments, the rule ending at the first white space.</summary>
    public static PublicSuffixes Parse(string text)
    {
        var exact = new HashSet<string>(StringComparer.Ordinal);
        var wildcardParents = new HashSet<string>(StringComparer.Ordinal);
        var exceptions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
                continue;
            var end = line.IndexOfAny([' ', '\t']);
            var rule = end < 0 ? line : line[..end];
            if (rule.StartsWith('!'))
                exceptions.Add(Ascii(rule[1..]));
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
                wildcardParents.Add(Ascii(rule[2..]));
            else if (rule.Contains('*', StringComparison.Ordinal))
                throw new FormatException($"'{rule}': the list's only wildcard is a leading '*.'");
            else
                exact.Add(Ascii(rule));
        }
        return new PublicSuffixes(exact, wildcardParents, exceptions);
    }

    /// <summary>The public suffix of a host name (lower-case ASCII, as <see cref="HostNames"/> normalizes it).</summary>
    public string SuffixOf(string name)
    {
        var labels = name.TrimEnd('.').Split('.');
        var length = 1;
        for (var take = 1; take <= labels.Length; take++)
        {
            var suffix = string.Join('.', labels[^take..]);
            if (_exceptions.Contains(suffix))
                return string.Join('.', labels[^(take - 1)..]);
            if (_exact.Contains(suffix) || (take > 1 && _wildcardParents.Contains(string.Join('.', labels[^(take - 1)..]))))
                length = take;
        }
        return string.Join('.', labels[^length..]);
    }

    public bool IsPublicSuffix(string name) => SuffixOf(name) == name.TrimEnd('.');

    /// <summary>
    /// A public suffix at or below <paramref name="name"/> (the name itself, or a listed rule under it), or null. A
    /// proxy domain <c>.name</c> admits every name below it, so any suffix there lets strangers in.
    /// </summary>
    public string? SuffixAtOrBelow(string name)
    {
        name = name.TrimEnd('.');
        if (IsPublicSuffix(name))
            return name;
        return _ancestors.TryGetValue(name, out var rule) ? rule : null;
    }

    private static string Ascii(string rule)
    {
        var lower = rule.ToLowerInvariant();
        return lower.All(char.IsAscii) ? lower : Idn.GetAscii(lower);
    }
}
