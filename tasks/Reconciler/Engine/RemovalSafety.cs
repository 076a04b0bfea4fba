using System.Globalization;
using Reconciler.Policies.Model;
using Reconciler.Reports;

namespace Reconciler.Engine;

/// <summary>
/// Safety thresholds, as octoDNS has for deletes: removals that would take more than
/// <c>settings.max_removal_share</c> of an allowlist's removable destinations, or leave a rule with none, are held
/// back from the pull requests. The removal findings stay in the report with no action, and one
/// <c>removal-held</c> issue per allowlist and dependency lists what would have gone and why. Additions are never
/// held: they prevent outages. Pure.
/// </summary>
public static class RemovalSafety
{
    private static readonly FindingKind[] Removals = [FindingKind.StaleIp, FindingKind.ProviderRangeRemoved];
    private static readonly FindingKind[] Additions = [FindingKind.MissingIp, FindingKind.ProviderRangeAdded];

    public static IReadOnlyList<Finding> Hold(PolicySet policies, IReadOnlyList<Finding> findings)
    {
        var proposed = findings.Where(f => f.Action == FindingAction.PullRequest && f.Allowlist is not null && Removals.Contains(f.Kind)).ToList();
        if (proposed.Count == 0)
            return findings;
        var reasons = new Dictionary<(string Allowlist, string Dependency), string>();
        var maxShare = policies.Settings.MaxRemovalShare;
        foreach (var byAllowlist in proposed.GroupBy(f => f.Allowlist!, StringComparer.Ordinal))
        {
            if (policies.FindAllowlist(byAllowlist.Key) is not { } allowlist)
                continue;
            // Pinned rules are never removable, so they do not dilute the share either.
            var removable = allowlist.Rules.Where(r => !r.Pinned).Sum(r => r.Destinations.Count);
            var removing = byAllowlist.Select(f => (f.Dependency, f.Subject)).Distinct().Count();
            var share = removable == 0 ? 1 : (double)removing / removable;
            foreach (var dependency in byAllowlist.Select(f => f.Dependency).Distinct(StringComparer.Ordinal))
            {
                if (share > maxShare)
                    reasons[(allowlist.Name, dependency)] = $"together they are {removing} of the {removable} destinations {allowlist.Name} could lose ({Percent(share)}), more than settings.max_removal_share ({Percent(maxShare)})";
                else if (EmptiedRule(allowlist, dependency, byAllowlist, findings) is { } rule)
                    reasons[(allowlist.Name, dependency)] = $"they would leave the rule at {rule.Location} with no destinations";
            }
        }
        if (reasons.Count == 0)
            return findings;

        var result = new List<Finding>(findings.Count + reasons.Count);
        foreach (var finding in findings)
        {
            var held = finding.Action == FindingAction.PullRequest && finding.Allowlist is not null && Removals.Contains(finding.Kind)
                && reasons.ContainsKey((finding.Allowlist, finding.Dependency));
            result.Add(held ? finding with { Action = FindingAction.None, Message = HeldMessage(finding.Message) } : finding);
        }
        foreach (var ((allowlist, dependency), reason) in reasons.OrderBy(r => r.Key.Allowlist, StringComparer.Ordinal).ThenBy(r => r.Key.Dependency, StringComparer.Ordinal))
        {
            var held = proposed.Where(f => f.Allowlist == allowlist && f.Dependency == dependency).OrderBy(f => f.Subject, AddressOrder.Instance).ToList();
            result.Add(new Finding
            {
                Kind = FindingKind.RemovalHeld,
                Severity = Severity.Medium,
                Dependency = dependency,
                Allowlist = allowlist,
                Subject = "removals",
                Message = $"Reconciler held back removing {held.Count} destination{(held.Count == 1 ? "" : "s")} of {dependency} from {allowlist} ({string.Join(", ", held.Take(10).Select(f => f.Subject))}{(held.Count > 10 ? $" and {held.Count - 10} more" : "")}): {reason}. " +
                    "So large a removal more often means a broken lookup or a moved service than unused addresses: check that the dependency really stopped using them, then remove them by hand or raise settings.max_removal_share.",
                Action = FindingAction.Issue,
                Evidence = [.. held.Select(f => f.Evidence.Count == 0
                    ? new Evidence(f.Kind.ToWire(), $"{f.Subject}: {f.Message}")
                    : new Evidence(f.Kind.ToWire(), $"{f.Subject}: {f.Evidence[^1].Detail}", f.Evidence[^1].ObservedAt))],
                Location = held[0].Location,
            });
        }
        return result;
    }

    /// <summary>A rule of the dependency all of whose destinations would go, with no addition landing in it.</summary>
    private static AllowlistRule? EmptiedRule(Allowlist allowlist, string dependency, IEnumerable<Finding> removals, IReadOnlyList<Finding> findings)
    {
        var gone = removals.Where(f => f.Dependency == dependency).Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
        var rules = allowlist.Rules.Where(r => r.Dependency == dependency).ToList();
        var adds = findings.Any(f => f.Action == FindingAction.PullRequest && f.Allowlist == allowlist.Name && f.Dependency == dependency && Additions.Contains(f.Kind));
        // Additions go to the first rule that is not pinned (see Planner), which then keeps something.
        var receiver = adds ? rules.FirstOrDefault(r => !r.Pinned) : null;
        return rules.FirstOrDefault(r => r != receiver && r.Destinations.Count > 0 && r.Destinations.All(d => gone.Contains(Policies.Validation.Networks.Format(d.Value))));
    }

    private static string HeldMessage(string message) =>
        (message.EndsWith(DriftEngine.RemovalSentence, StringComparison.Ordinal) ? message[..^DriftEngine.RemovalSentence.Length] : message)
        + " Held back from the plan by the safety threshold (see the removal-held issue).";

    private static string Percent(double share) => share.ToString("0%", CultureInfo.InvariantCulture);
}
