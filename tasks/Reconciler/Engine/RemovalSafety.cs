using Reconciler.Policies.Validation;
using System.Globalization;
using Reconciler.Findings;
using Reconciler.Policies.Model;

namespace Reconciler.Engine;

/// <summary>
/// Safety thresholds, as octoDNS has for deletes: removals that would take more than
/// <c>settings.max_removal_share</c> of an allowlist's removable destinations (or of a prefix set's prefixes), or
/// leave a rule or a set with none, are held back from the pull requests. The removal findings stay in the report with no action, and one
/// <c>removal-held</c> issue per allowlist and dependency lists what would have gone and why. Additions are never
/// held: they prevent outages. It judges every kind whose effect is removal, after the removal gate, so only proven
/// removals count. Pure.
/// </summary>
public static class RemovalSafety
{
    /// <summary>
    /// The threshold over findings as a report holds them (messages final: the merged report of shards), each held
    /// removal's message rewritten to say so.
    /// </summary>
    public static IReadOnlyList<Finding> Hold(PolicySet policies, IReadOnlyList<Finding> findings)
    {
        // What the shards proved apart is judged together first, so that only what the whole estate proved counts.
        var rechecked = RemovalGate.Recheck(policies, findings);
        // Judge keeps the findings in their order and appends its removal-held issues after them.
        return [.. Judge(policies, rechecked).Select((f, i) => i < rechecked.Count && f.Kept == RemovalKept.Held && rechecked[i].Kept != RemovalKept.Held ? RemovalSentences.HeldAfterReport(f) : f)];
    }

    /// <summary>
    /// The threshold inside the pipeline: a held removal loses its action and is marked <see cref="RemovalKept.Held"/>;
    /// its message is left to <see cref="RemovalSentences"/>.
    /// </summary>
    public static IReadOnlyList<Finding> Judge(PolicySet policies, IReadOnlyList<Finding> findings)
    {
        var proposed = findings.Where(IsProposedRemoval).ToList();
        if (proposed.Count == 0)
            return findings;
        var reasons = new Dictionary<(string Container, string Dependency), string>();
        var maxShare = policies.Settings.MaxRemovalShare;
        foreach (var byContainer in proposed.GroupBy(Container, StringComparer.Ordinal))
        {
            var first = byContainer.First();
            // A prefix replaced whole by the published prefixes this plan adds in its place takes nothing away: it
            // does not count against the share (README "Provider feeds").
            var additions = findings.Where(f => f.Action == FindingAction.PullRequest && f.Kind.Facts().Effect == FindingEffect.Add && (f.Allowlist is not null || f.PrefixSet is not null) && Container(f) == byContainer.Key).ToList();
            var removing = byContainer.Where(f => !Replaced(f, additions)).Select(f => (f.Dependency, f.Subject)).Distinct().Count();
            var emptying = byContainer.Select(f => (f.Dependency, f.Subject)).Distinct().Count();
            if (first.Allowlist is not null && policies.FindAllowlist(first.Allowlist) is { } allowlist)
            {
                // Pinned rules are never removable, so they do not dilute the share either.
                var removable = allowlist.Rules.Where(r => !r.Pinned).Sum(r => r.Destinations.Count);
                var share = removable == 0 ? 1 : (double)removing / removable;
                foreach (var dependency in byContainer.Select(f => f.Dependency).Distinct(StringComparer.Ordinal))
                {
                    if (share > maxShare)
                        reasons[(byContainer.Key, dependency)] = $"together they are {removing} of the {removable} destinations {allowlist.Name} could lose ({Percent(share)}), over max_removal_share ({Percent(maxShare)})";
                    else if (EmptiedRule(allowlist, dependency, byContainer, findings) is { } rule)
                        reasons[(byContainer.Key, dependency)] = $"they would leave the rule at {rule.Location} with no destinations";
                }
            }
            else if (first.PrefixSet is not null && policies.FindPrefixSet(first.PrefixSet) is { } set)
            {
                // A provider's feed that drops a large part of a service at once is more likely broken than true.
                var share = set.Prefixes.Count == 0 ? 1 : (double)removing / set.Prefixes.Count;
                var reason = emptying >= set.Prefixes.Count && additions.Count == 0 ? $"they would leave prefix set {set.Name} with no prefixes"
                    : share > maxShare ? $"together they are {removing} of the {set.Prefixes.Count} prefixes of prefix set {set.Name} ({Percent(share)}), over max_removal_share ({Percent(maxShare)})"
                    : null;
                if (reason is not null)
                {
                    foreach (var dependency in byContainer.Select(f => f.Dependency).Distinct(StringComparer.Ordinal))
                        reasons[(byContainer.Key, dependency)] = reason;
                }
            }
        }
        if (reasons.Count == 0)
            return findings;

        var result = new List<Finding>(findings.Count + reasons.Count);
        foreach (var finding in findings)
        {
            var held = IsProposedRemoval(finding) && reasons.ContainsKey((Container(finding), finding.Dependency));
            result.Add(held ? finding with { Action = FindingAction.None, Kept = RemovalKept.Held } : finding);
        }
        foreach (var ((container, dependency), reason) in reasons.OrderBy(r => r.Key.Container, StringComparer.Ordinal).ThenBy(r => r.Key.Dependency, StringComparer.Ordinal))
        {
            var held = proposed.Where(f => Container(f) == container && f.Dependency == dependency).OrderBy(f => f.Subject, AddressOrder.Instance).ToList();
            var from = held[0].Allowlist ?? $"prefix set {held[0].PrefixSet}";
            result.Add(new Finding
            {
                Kind = FindingKind.RemovalHeld,
                Severity = Severity.Medium,
                Dependency = dependency,
                Allowlist = held[0].Allowlist,
                PrefixSet = held[0].PrefixSet,
                Subject = "removals",
                Message = $"Reconciler held back removing {held.Count} destination{(held.Count == 1 ? "" : "s")} of {dependency} from {from} ({string.Join(", ", held.Take(4).Select(f => f.Subject))}{(held.Count > 4 ? $" and {held.Count - 4} more" : "")}): {reason}. " +
                    $"Check that {dependency} stopped using them, then remove them by hand.",
                Action = FindingAction.Issue,
                // The rule's own last word on each, not the gate's note of whom its proof covered.
                Evidence = [.. held.Select(f => f.Evidence.LastOrDefault(e => e.Source != RemovalGate.ProvenFor) is not { } said
                    ? new Evidence(f.Kind.ToWire(), $"{f.Subject}: {f.Message}")
                    : new Evidence(f.Kind.ToWire(), $"{f.Subject}: {said.Detail}", said.ObservedAt))],
                Location = held[0].Location,
            });
        }
        return result;
    }

    /// <summary>Every kind whose effect is <see cref="FindingEffect.Remove"/> (FindingKindFacts), so that no removal kind can bypass the threshold.</summary>
    private static bool IsProposedRemoval(Finding f) =>
        f.ProposesRemoval() && (f.Allowlist is not null || f.PrefixSet is not null);

    /// <summary>Whether the additions of the same container cover the removed prefix whole.</summary>
    private static bool Replaced(Finding removal, List<Finding> additions)
    {
        if (additions.Count == 0 || !Networks.TryParse(removal.Subject, out var removed, out _))
            return false;
        var inside = additions.Where(a => a.Dependency == removal.Dependency).Select(a => Networks.TryParse(a.Subject, out var n, out _) ? (System.Net.IPNetwork?)n : null).OfType<System.Net.IPNetwork>()
            .Where(n => Networks.Covers(removed, n)).ToList();
        return inside.Count > 0 && PrefixReplacement.Remainder(removed, inside).Count == 0;
    }

    /// <summary>What a removal is taken from: an allowlist, or a prefix set that allowlists share.</summary>
    private static string Container(Finding f) => f.Allowlist is { } allowlist ? "allowlist:" + allowlist : "prefix_set:" + f.PrefixSet;

    /// <summary>A rule of the dependency all of whose destinations would go, with no addition landing in it.</summary>
    private static AllowlistRule? EmptiedRule(Allowlist allowlist, string dependency, IEnumerable<Finding> removals, IReadOnlyList<Finding> findings)
    {
        var gone = removals.Where(f => f.Dependency == dependency).Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
        var rules = allowlist.Rules.Where(r => r.Dependency == dependency).ToList();
        var adds = findings.Any(f => f.Action == FindingAction.PullRequest && f.Allowlist == allowlist.Name && f.Dependency == dependency && f.Kind.Facts().Effect == FindingEffect.Add);
        // The rule that receives the additions then keeps something.
        var receiver = adds ? AdditionReceiver.Of(rules) : null;
        // A pinned rule never loses a destination, so it is never emptied.
        return rules.FirstOrDefault(r => r != receiver && !r.Pinned && r.Destinations.Count > 0 && r.Destinations.All(d => gone.Contains(Policies.Validation.Networks.Format(d.Value))));
    }

    private static string Percent(double share) => share.ToString("0%", CultureInfo.InvariantCulture);
}
