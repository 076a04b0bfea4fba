using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;

namespace Reconciler.Engine;

/// <summary>
/// What the diff must not touch, decided before it runs (as dnscontrol does): hosts whose resolution failed at a
/// server that answered are frozen (nothing they had is called stale), pinned rules are never proposed for removal, and findings people
/// chose to live with are silenced until their ignore entry expires, when the expiry is itself a finding.
/// </summary>
public sealed class HandsOff
{
    private readonly HashSet<string> _frozenHosts;
    private readonly IReadOnlyList<IgnoreEntry> _active;

    private HandsOff(HashSet<string> frozenHosts, IReadOnlyList<IgnoreEntry> active, IReadOnlyList<IgnoreEntry> expired)
    {
        _frozenHosts = frozenHosts;
        _active = active;
        Expired = expired;
    }

    public IReadOnlyList<IgnoreEntry> Expired { get; }

    public static HandsOff Decide(PolicySet policies, ObservationSet observations, DateTimeOffset now)
    {
        // Frozen as the removal rule sees it: a server that never replied did not answer, the others must all succeed.
        var frozen = observations.Observations.GroupBy(o => o.Host.ToLowerInvariant())
            .Where(h => RunVerdicts.Of(h) == RunVerdict.Failed).Select(h => h.Key).ToHashSet(StringComparer.Ordinal);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var active = policies.Ignores.Where(i => i.Expires >= today).ToList();
        var expired = policies.Ignores.Where(i => i.Expires < today).ToList();
        return new HandsOff(frozen, active, expired);
    }

    public bool IsFrozen(string host) => _frozenHosts.Contains(host.ToLowerInvariant());

    /// <summary>Whether an address of this rule may be proposed for removal: not pinned, and no host of its dependency failing.</summary>
    public bool MayRemoveFrom(AllowlistRule rule, Dependency dependency) =>
        !rule.Pinned && !dependency.Hosts.Any(h => IsFrozen(h.Value));

    /// <summary>The one place findings are silenced: every source's, after the diff; a kind FindingKindFacts says cannot be silenced (an expired ignore) never is.</summary>
    public IReadOnlyList<Finding> Silence(IEnumerable<Finding> findings) =>
        [.. findings.Where(f => !f.Kind.Facts().Silenceable || !Silences(f))];

    public bool Silences(Finding finding) => _active.Any(i =>
        (i.Dependency is null || i.Dependency == finding.Dependency)
        && (i.Kind is null || i.Kind == finding.Kind.ToWire())
        && (i.Subject is null || i.Subject == finding.Subject));
}
