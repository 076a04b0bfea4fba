namespace Reconciler.Policies.Model;

/// <summary>Run-wide settings (README "Policies", <c>settings</c>), with the defaults a user gets when a key is absent.</summary>
public sealed record PolicySettings
{
    public static PolicySettings Default { get; } = new();

    /// <summary>Queries per host per resolver per run, to see more of a rotating pool.</summary>
    public int Samples { get; init; } = 3;
    /// <summary>An allowlisted address unseen this long is proposed for removal.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromDays(14);
    /// <summary>An endpoint that answers with the caller's address as text.</summary>
    public Uri? EgressEcho { get; init; }
    /// <summary>An IPv4 rule shorter than this prefix is over-broad.</summary>
    public int BroadestIPv4Prefix { get; init; } = 16;
    /// <summary>Host lookups started per second at each name server: polite to shared resolvers by default.</summary>
    public int DnsLookupsPerSecond { get; init; } = 500;
    /// <summary>An IPv6 rule shorter than this prefix is over-broad.</summary>
    public int BroadestIPv6Prefix { get; init; } = 32;
    /// <summary>Pull requests a Reconcile run may open; the rest wait on the dashboard (one review at a time beats a flood).</summary>
    public int MaxNewPullRequests { get; init; } = 5;
    /// <summary>Issues a Reconcile run may open; the rest wait on the dashboard.</summary>
    public int MaxNewIssues { get; init; } = 10;
    /// <summary>A plan removing more than this share of an allowlist's removable destinations is held back as an issue.</summary>
    public double MaxRemovalShare { get; init; } = 0.30;
    /// <summary>DNS-derived additions to one rule in one run above this are held back as one issue (a flood is not proposed).</summary>
    public int MaxNewAddresses { get; init; } = 32;
}
