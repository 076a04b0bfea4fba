namespace Reconciler.Findings;

/// <summary>The kinds of finding (README "Targets" lists them); on the wire they are kebab-case (<c>missing-ip</c>).</summary>
public enum FindingKind
{
    MissingIp,
    StaleIp,
    ProviderRangeAdded,
    ProviderRangeRemoved,
    OutsideProviderRange,
    CdnFronted,
    StaticIpChanged,
    ResolutionFailed,
    EgressIpDrift,
    UserAgentRisk,
    ProbeBlocked,
    ProbeFailed,
    OverBroadRule,
    LiveRuleDrift,
    /// <summary>An <c>ignore:</c> entry whose date has passed: silence must be renewed on purpose.</summary>
    IgnoreExpired,
    /// <summary>A rule that admits none of its dependency's traffic (other ports, or nothing to match): dead weight or a typo.</summary>
    RuleAdmitsNothing,
    /// <summary>Review: an added address that none of the dependency's hosts resolve to, outside its provider's published ranges.</summary>
    AddressNotResolved,
    /// <summary>Review: a removed address that the dependency's hosts still resolve to (an outage ahead).</summary>
    RemovalInUse,
    /// <summary>Review: an added or changed rule that does not say why it exists.</summary>
    RuleWithoutReason,
    /// <summary>Removals the safety threshold kept out of the pull requests (over settings.max_removal_share, or a rule left empty).</summary>
    RemovalHeld,
    /// <summary>An identity's runtime keeps DNS answers longer than the records' TTL: pinned to addresses a pool pulls (README "Outbound identity").</summary>
    DnsCacheTooLong,
    /// <summary>An addition the gate refused (special-purpose, undeclared private use, our own egress): never proposed (README "Trust boundary").</summary>
    AdditionRefused,
    /// <summary>DNS-derived additions to one rule over settings.max_new_addresses in one run, held back from the pull requests.</summary>
    AdditionHeld,
    /// <summary>Review: a change that widens what may pass (a port, proxy domain, host, track, pin, private range, ignore entry, or a refused address).</summary>
    PolicyWidened,
    /// <summary>Review: a setting that weakens a safety guard (stale_after shorter; max_removal_share, max_new_addresses larger; broadest prefixes wider).</summary>
    SafetyWeakened,
    /// <summary>The provider snapshot a provider-tracked dependency follows is older than 30 days: refresh it (README "Provider feeds").</summary>
    ProviderDataStale,
}

public static class FindingKinds
{
    public static string ToWire(this FindingKind kind) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());

    public static IReadOnlyList<string> WireNames { get; } = [.. Enum.GetValues<FindingKind>().Select(k => k.ToWire())];

    public static bool TryParse(string wire, out FindingKind kind)
    {
        foreach (var candidate in Enum.GetValues<FindingKind>())
        {
            if (candidate.ToWire() == wire)
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
