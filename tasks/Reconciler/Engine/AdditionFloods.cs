using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Engine;

/// <summary>
/// A flood is held back: when DNS answers would add more than <c>settings.max_new_addresses</c> addresses to one rule
/// (an allowlist's rules of one dependency, where the plan's additions land) in one run, none is proposed; the
/// additions stay in the report with no action, and one <c>addition-held</c> issue lists them, as
/// <see cref="RemovalSafety"/> does for removals. Provider prefixes come from the reviewed snapshot and are not counted. Pure.
/// </summary>
public static class AdditionFloods
{
    public static IReadOnlyList<Finding> Hold(PolicySet policies, IReadOnlyList<Finding> findings)
    {
        var limit = policies.Settings.MaxNewAddresses;
        var floods = findings.Where(IsDnsAddition)
            .GroupBy(f => (Allowlist: f.Allowlist!, f.Dependency))
            .Where(g => g.Select(f => f.Subject).Distinct(StringComparer.Ordinal).Count() > limit)
            .ToDictionary(g => g.Key, g => g.DistinctBy(f => f.Subject).OrderBy(f => f.Subject, AddressOrder.Instance).ToList());
        if (floods.Count == 0)
            return findings;

        var result = new List<Finding>(findings.Count + floods.Count);
        foreach (var finding in findings)
        {
            var held = IsDnsAddition(finding) && floods.ContainsKey((finding.Allowlist!, finding.Dependency));
            result.Add(held ? finding with { Action = FindingAction.None, Message = HeldMessage(finding.Message, limit) } : finding);
        }
        foreach (var ((allowlist, dependency), held) in floods.OrderBy(f => f.Key.Allowlist, StringComparer.Ordinal).ThenBy(f => f.Key.Dependency, StringComparer.Ordinal))
        {
            var hosts = held.Select(f => f.Host).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
            result.Add(new Finding
            {
                Kind = FindingKind.AdditionHeld,
                Severity = Severity.High,
                Dependency = dependency,
                Allowlist = allowlist,
                Subject = "additions",
                Message = $"Reconciler held back adding {held.Count} addresses for {dependency} to {allowlist} ({string.Join(", ", held.Take(4).Select(f => f.Subject))} and {held.Count - 4} more), " +
                    $"which DNS gave for {string.Join(", ", hosts)}: over max_new_addresses ({limit}) in one run, a flood is not proposed. " +
                    $"Check with {dependency}'s operator that these answers are real (a CNAME to a large pool, a CDN move), then admit them by hand or by name at a proxy.",
                Action = FindingAction.Issue,
                Evidence = [.. held.Select(f => f.Evidence.Count == 0
                    ? new Evidence(f.Kind.ToWire(), f.Subject)
                    : new Evidence(f.Evidence[0].Source, f.Evidence[0].Detail, f.Evidence[0].ObservedAt, f.Evidence[0].Ttl))],
                Location = held[0].Location,
            });
        }
        return result;
    }

    private static bool IsDnsAddition(Finding f) =>
        f.ProposesAddition() && f.Kind.Facts().Source == FindingSource.Dns && f.Allowlist is not null;

    private static string HeldMessage(string message, int limit) =>
        (message.EndsWith(AddSentence, StringComparison.Ordinal) ? message[..^AddSentence.Length] : message)
        + $" Held back from the plan: DNS would add more than max_new_addresses ({limit}) to this rule in one run (see the addition-held issue).";

    /// <summary>How an addition's message ends (DriftEngine); replaced when the flood holds it back.</summary>
    private const string AddSentence = " The plan adds it.";
}
