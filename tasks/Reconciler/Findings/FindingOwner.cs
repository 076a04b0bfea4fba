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

    public static FindingOwner Of(Finding finding) =>
        finding.Dependency == PolicyWide ? new(OwnerKind.Policy, PolicyWide)
        : finding.Kind == FindingKind.EgressIpDrift ? new(OwnerKind.Identity, finding.Dependency)
        // Live rules that belong to no dependency are the allowlist's, on its host.
        : finding.Kind == FindingKind.LiveRuleDrift && finding.Allowlist == finding.Dependency ? new(OwnerKind.AllowlistHosts, finding.Host is { } host ? $"{finding.Dependency}@{host}" : finding.Dependency)
        : finding.Allowlist is null && finding.PrefixSet is { } set ? new(OwnerKind.PrefixSet, set)
        : new(OwnerKind.Dependency, finding.Dependency);
}
