using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Engine;

/// <summary>
/// A prefix that a pull request of the same plan removes is not also an over-broad issue: the pull request ends it,
/// and an issue about it would outlive the merge as a false alarm. Runs after the safety threshold, so a held removal
/// keeps its over-broad finding. Pure.
/// </summary>
public static class RemovedNotOverBroad
{
    public static IReadOnlyList<Finding> Apply(PolicySet policies, IReadOnlyList<Finding> findings)
    {
        var removed = new HashSet<(string? Allowlist, string Dependency, string Subject)>();
        foreach (var removal in findings.Where(f => f.ProposesRemoval()))
        {
            if (removal.Allowlist is not null)
                removed.Add((removal.Allowlist, removal.Dependency, Normal(removal.Subject)));
            else if (removal.PrefixSet is { } set)
            {
                foreach (var (allowlist, rule) in PrefixSetDrift.UsersOf(policies, set))
                    removed.Add((allowlist.Name, rule.Dependency, Normal(removal.Subject)));
            }
        }
        return removed.Count == 0 ? findings
            : [.. findings.Where(f => f.Kind != FindingKind.OverBroadRule || !removed.Contains((f.Allowlist, f.Dependency, Normal(f.Subject))))];
    }

    private static string Normal(string subject) => Networks.TryParse(subject, out var network, out _) ? Networks.Format(network) : subject;
}
