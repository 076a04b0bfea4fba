using Reconciler.Diagnostics;
using Reconciler.Policies.Model;

namespace Reconciler.Policies.Loading;

/// <summary>Fills in what each rule's <c>prefix_set:</c> admits, and reports a name that no set has.</summary>
internal static class PrefixSetReferences
{
    public static List<Allowlist> Resolve(List<Allowlist> allowlists, List<PrefixSet> sets, List<PolicyError> errors)
    {
        var byName = sets.ToDictionary(s => s.Name, StringComparer.Ordinal);
        return [.. allowlists.Select(allowlist => allowlist with
        {
            Rules = [.. allowlist.Rules.Select(rule =>
            {
                if (rule.PrefixSet is not { } name)
                    return rule;
                if (byName.TryGetValue(name, out var set))
                    return rule with { SetPrefixes = set.Prefixes };
                errors.Add(new PolicyError(rule.Location, $"a rule of allowlist '{allowlist.Name}' names prefix set '{name}', but no prefix set has that name{Validation.DidYouMean.Suffix(name, [.. byName.Keys])}"));
                return rule;
            })],
        })];
    }
}
