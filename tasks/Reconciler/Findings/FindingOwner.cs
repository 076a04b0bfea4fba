using Reconciler.Policies.Model;

namespace Reconciler.Findings;

/// <summary>What a finding's owner is: <see cref="Finding.Dependency"/> holds any of them as one string on the wire.</summary>
public enum OwnerKind
{
    Dependency,
    /// <summary>An outbound identity (a runtime's DNS cache, README "Outbound identity").</summary>
    Identity,
    /// <summary>A prefix set that allowlists share (<c>prefix_sets:</c>).</summary>
    PrefixSet,
    /// <summary>Hosts of an allowlist whose live rules drifted.</summary>
    AllowlistHosts,
    /// <summary>The policies as a whole (a setting, an ignore naming no dependency): <c>*</c> on the wire.</summary>
    Policy,
}

/// <summary>The owner of a finding, typed; read from the wire fields so report.json and fingerprints stay as they are.</summary>
public sealed record FindingOwner(OwnerKind Kind, string Name)
{
    /// <summary>How report.json spells a policy-wide owner in <c>dependency</c>.</summary>
    public const string PolicyWide = "*";

    /// <summary>Told by the finding's fields first (a policy-wide <c>*</c>, a prefix set's drift), then by its kind's row (<see cref="FindingKindFacts.OwnedBy"/>).</summary>
    public static FindingOwner Of(Finding finding) =>
        finding.Dependency == PolicyWide ? new(OwnerKind.Policy, PolicyWide)
        : finding.Allowlist is null && finding.PrefixSet is { } set ? new(OwnerKind.PrefixSet, set)
        : finding.Kind.Facts().OwnedBy switch
        {
            OwnerKind.Identity => new(OwnerKind.Identity, finding.Dependency),
            // Live rules that belong to no dependency are the allowlist's, on its host.
            OwnerKind.AllowlistHosts when finding.Allowlist == finding.Dependency => new(OwnerKind.AllowlistHosts, finding.Host is { } host ? $"{finding.Dependency}@{host}" : finding.Dependency),
            _ => new(OwnerKind.Dependency, finding.Dependency),
        };
}

public static class FindingOwners
{
    /// <summary>
    /// The dependency a finding is about, whose owner, probe and hosts its issue may name; null when there is none. A
    /// dependency's own finding names it. A prefix set's names in <see cref="Finding.Dependency"/> the first dependency
    /// that uses the set, or the set itself when none does: so it is that dependency only if its rules use the set.
    /// An identity, the policies, or a set named like a dependency never stand for one.
    /// </summary>
    public static Dependency? DependencyIn(this Finding finding, PolicySet policies) => finding.Owner switch
    {
        { Kind: OwnerKind.Dependency, Name: var name } => policies.FindDependency(name),
        { Kind: OwnerKind.PrefixSet, Name: var set } when policies.Allowlists.Any(a => a.Rules.Any(r => r.PrefixSet == set && r.Dependency == finding.Dependency)) => policies.FindDependency(finding.Dependency),
        _ => null,
    };
}
