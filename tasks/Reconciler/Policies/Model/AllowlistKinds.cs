namespace Reconciler.Policies.Model;

/// <summary>
/// What an allowlist kind can express and how it is applied. Code asks these questions, never which kind it holds,
/// so a new kind declares its answers here once (README "Rendering and live drift").
/// </summary>
/// <param name="Called">How a sentence names one: "an iptables allowlist".</param>
/// <param name="AdmitsAddresses">Rules may list <c>destinations:</c> and <c>prefix_set:</c>.</param>
/// <param name="AdmitsDomains">Rules may list <c>domains:</c>, matched by name (a proxy sees the name asked for).</param>
/// <param name="HasProxyUrl">The allowlist is a proxy that clients go through: it may have a <c>url:</c> and identities may name it.</param>
/// <param name="AppliedOnHosts">Its hosts filter their own outbound traffic with it (a host firewall).</param>
public sealed record AllowlistKindFacts(AllowlistKind Kind, string Name, string Called, bool AdmitsAddresses, bool AdmitsDomains, bool HasProxyUrl, bool AppliedOnHosts)
{
    /// <summary>Admits by address alone: what a provider's published ranges and a CDN's addresses bear on.</summary>
    public bool AddressOnly => AdmitsAddresses && !AdmitsDomains;
}

public static class AllowlistKinds
{
    /// <summary>The one table of kinds; a kind without a row fails at its first use, never falls back to another kind.</summary>
    public static readonly IReadOnlyList<AllowlistKindFacts> All =
    [
        new(AllowlistKind.Iptables, "iptables", "an iptables allowlist", AdmitsAddresses: true, AdmitsDomains: false, HasProxyUrl: false, AppliedOnHosts: true),
        new(AllowlistKind.Proxy, "proxy", "a proxy allowlist", AdmitsAddresses: true, AdmitsDomains: true, HasProxyUrl: true, AppliedOnHosts: false),
        new(AllowlistKind.Nftables, "nftables", "an nftables allowlist", AdmitsAddresses: true, AdmitsDomains: false, HasProxyUrl: false, AppliedOnHosts: true),
    ];

    public static AllowlistKindFacts Facts(this AllowlistKind kind) =>
        All.FirstOrDefault(f => f.Kind == kind) ?? throw new InvalidOperationException($"allowlist kind {kind} has no row in AllowlistKinds.All");

    public static AllowlistKindFacts Facts(this Allowlist allowlist) => allowlist.Kind.Facts();
}
