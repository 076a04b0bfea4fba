using System.Net;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Providers;

namespace Reconciler.Engine;

/// <summary>
/// A prefix set that follows a provider must hold what the provider publishes and nothing it stopped publishing.
/// Its drift is reported once, for the set, whichever allowlists use it: one pull request edits one file.
/// </summary>
public static class PrefixSetDrift
{
    /// <param name="thisRunByHost">This run's observations by host: a removal needs the proof of <see cref="RemovalProof"/>.</param>
    public static IEnumerable<Finding> Check(PolicySet policies, ILookup<string, Observation> thisRunByHost, DriftMemory memory, ProviderKnowledge providers, HandsOff handsOff, DateTimeOffset now)
    {
        foreach (var set in policies.PrefixSets.Where(s => s.Provider is not null))
        {
            var users = UsersOf(policies, set.Name);
            var dependency = users.Select(u => u.Rule.Dependency).Order(StringComparer.Ordinal).FirstOrDefault() ?? set.Name;
            var where = users.Count == 0 ? "no allowlist yet" : string.Join(", ", users.Select(u => u.Allowlist.Name).Distinct());
            var what = Describe(set.Provider!);
            var published = providers.Published(set.Provider!).Select(p => p.Prefix).Distinct().ToList();
            var held = set.Prefixes.Select(p => p.Value).ToList();
            foreach (var prefix in published.Where(p => !held.Any(h => Networks.Covers(h, p))).OrderBy(p => Networks.Format(p), AddressOrder.Instance))
            {
                yield return new Finding
                {
                    Kind = FindingKind.ProviderRangeAdded,
                    Severity = Severity.High,
                    Dependency = dependency,
                    PrefixSet = set.Name,
                    Subject = Networks.Format(prefix),
                    Message = $"{what} publishes {Networks.Format(prefix)}, which prefix set {set.Name} ({where}) lacks: the provider may hand it out any time. The plan adds it.",
                    Action = FindingAction.PullRequest,
                    Evidence = [new Evidence($"{set.Provider!.Name} feed", $"{Networks.Format(prefix)} is published for {what}")],
                    Location = set.Location,
                };
            }
            // A feed that did not load, or publishes nothing for this service, proves nothing: nothing is removed.
            if (!providers.HasFeedFor(set.Provider!))
                continue;
            var proofs = users.Select(u => policies.FindDependency(u.Rule.Dependency)).OfType<Dependency>().DistinctBy(d => d.Name)
                .Select(d => RemovalProof.For(d, thisRunByHost, memory, policies.Settings.StaleAfter, now)).ToList();
            var recent = RecentAddresses(policies, users, memory, now);
            var mayRemove = users.All(u => policies.FindDependency(u.Rule.Dependency) is { } d && handsOff.MayRemoveFrom(u.Rule, d));
            foreach (var prefix in set.Prefixes.Where(p => !published.Any(pub => Networks.Covers(pub, p.Value))))
            {
                var subject = Networks.Format(prefix.Value);
                var inUse = recent.Where(a => prefix.Value.Contains(a)).Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList();
                var hold = inUse.Count > 0 ? $"but {string.Join(", ", inUse.Take(3))}{(inUse.Count > 3 ? $" and {inUse.Count - 3} more" : "")} in it were seen within stale_after, so it is kept until they are not"
                    : !mayRemove ? "but a host that uses the set failed to resolve (or the rule is pinned), so it is kept"
                    : Unproven(proofs, prefix.Value) is { } why ? $"but it is not yet proven unused ({why}), so it is kept" : null;
                yield return new Finding
                {
                    Kind = FindingKind.ProviderRangeRemoved,
                    Severity = hold is null ? Severity.Medium : Severity.Low,
                    Dependency = dependency,
                    PrefixSet = set.Name,
                    Subject = subject,
                    Message = hold is null
                        ? $"{subject} is no longer published for {what}; prefix set {set.Name} ({where}) still admits it, and the provider may give it to anyone. The plan removes it."
                        : $"{subject} is no longer published for {what}, {hold}.",
                    Action = hold is null ? FindingAction.PullRequest : FindingAction.None,
                    Evidence = [new Evidence($"{set.Provider!.Name} feed", $"no published {what} prefix holds {subject}"), .. inUse.Take(3).Select(a => new Evidence("memory", $"{a} seen within stale_after"))],
                    Location = prefix.Location,
                };
            }
        }
    }

    /// <summary>Why the users' lookups do not yet prove the prefix unused, or null when every one of them does.</summary>
    private static string? Unproven(IReadOnlyList<RemovalProof> proofs, IPNetwork prefix)
    {
        foreach (var proof in proofs)
        {
            if (!proof.ProvesUnused(prefix, out _, out var evidence))
                return evidence;
        }
        return null;
    }

    /// <summary>Every allowlist rule that admits the set.</summary>
    public static IReadOnlyList<(Allowlist Allowlist, AllowlistRule Rule)> UsersOf(PolicySet policies, string set) =>
        [.. policies.Allowlists.SelectMany(a => a.Rules.Where(r => r.PrefixSet == set).Select(r => (a, r)))];

    public static string Describe(ProviderRef provider) =>
        $"{provider.Name}{(provider.Service is null ? "" : " " + provider.Service)}{(provider.Regions.Count == 0 ? "" : " in " + string.Join(", ", provider.Regions))}";

    private static List<IPAddress> RecentAddresses(PolicySet policies, IReadOnlyList<(Allowlist Allowlist, AllowlistRule Rule)> users, DriftMemory memory, DateTimeOffset now) =>
        [.. users.Select(u => policies.FindDependency(u.Rule.Dependency)).OfType<Dependency>().SelectMany(d => d.Hosts)
            .SelectMany(h => memory.Find(h.Value)?.Addresses.Where(a => now - a.Value.LastSeen < policies.Settings.StaleAfter).Select(a => IPAddress.Parse(a.Key)) ?? [])
            .Distinct()];

}
