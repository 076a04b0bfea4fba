namespace Reconciler.Findings;

/// <summary>
/// What an issue's title is made of, for the row of <see cref="FindingKindFacts"/> that words it: the parts of the
/// issue's findings merged into one (README "How Plan decides": one issue per dependency and kind).
/// </summary>
/// <param name="Dependency">What owns the issue, as report.json spells it (a dependency, an identity, a prefix set…).</param>
/// <param name="Subject">The merged subject: the one finding's, or what the group is keyed by (the owner, a probe URL).</param>
/// <param name="Subjects">Every finding's subject, once each, in address order.</param>
/// <param name="Waf">The WAF that refused a probe, as the finding carries it.</param>
public sealed record TitleParts(
    FindingKind Kind,
    string Dependency,
    string? Host,
    string Subject,
    IReadOnlyList<string> Subjects,
    string? Allowlist,
    string? PrefixSet,
    string? Waf)
{
    /// <summary>The host the issue is about, or the owner when its findings name no one host.</summary>
    public string HostOrDependency => Host ?? Dependency;

    /// <summary>Where it was found: the one subject, or how many addresses.</summary>
    public string At => Subjects.Count == 1 ? Subjects[0] : $"{Subjects.Count} addresses";

    /// <summary>The subjects, the first four named and the rest counted.</summary>
    public string Few => FewOf(Subjects);

    public static string FewOf(IReadOnlyList<string> items) =>
        items.Count <= 4 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(4))} and {items.Count - 4} more";

    /// <summary>The title of a kind that words none of its own: its wire name, then its subjects.</summary>
    public static string Plain(TitleParts p) => $"{p.Dependency}: {p.Kind.ToWire().Replace('-', ' ')} ({p.Few})";
}
