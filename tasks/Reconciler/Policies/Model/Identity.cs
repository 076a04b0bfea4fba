using System.Net;
using Reconciler.Diagnostics;

namespace Reconciler.Policies.Model;

/// <summary>How one of our clients looks to a partner: its user agent and the addresses it leaves from.</summary>
public sealed record Identity
{
    public required string Name { get; init; }
    public string? UserAgent { get; init; }
    public required IReadOnlyList<Located<IPAddress>> EgressIps { get; init; }
    /// <summary>A <c>proxy</c> allowlist the client goes through; probes then use it too.</summary>
    public string? Proxy { get; init; }
    /// <summary>How long its runtime keeps DNS answers (<c>dns_cache_ttl</c>); null when the policy does not say.</summary>
    public DnsCacheTtl? DnsCacheTtl { get; init; }
    public required SourceLocation Location { get; init; }
}
