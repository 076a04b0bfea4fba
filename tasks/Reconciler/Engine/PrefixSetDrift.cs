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
    /// <param name="thisRunByHost">This run's observations by host: a removal needs the proof of <see cref="RemovalProof"/> (judged again by <see cref="RemovalGate"/>).</param>
    /// <param name="declared">Every declared host's sightings, as the removal gate counts them, so that a prefix kept says why.</param>
    public static IEnumerable<Finding> Check(PolicySet policies, ILookup<string, Observation> thisRunByHost, DriftMemory memory, ProviderKnowledge providers, HandsOff handsOff, DateTimeOffset now, DeclaredSightings? declared = null)
    {
        foreach (var set in policies.PrefixSets.Where(s => s.Provider is not null))
        {
            var users = UsersOf(policies, set.Name);
            var dependency = users.Select(u => u.Rule.Dependency).Order(StringComparer.Ordinal).FirstOrDefault() ?? set.Name;
            var where = users.Count == 0 ? "no allowlist yet" : string.Join(", ", users.Select(u => u.Allowlist.Name).Distinct());
            var what = Describe(set.Provider!);
            var published = providers.Published(set.Provider!).Select(p => p.Prefix).Distinct().ToList();
            // A feed that did not load, or publishes nothing for this service, proves nothing: nothing is removed.
            var removals = providers.HasFeedFor(set.Provider!) ? Removals(policies, set, users, published, thisRunByHost, memory, handsOff, now, declared) : [];
            var removed = removals.Where(r => r.Hold is null).Select(r => r.Prefix).ToHashSet();
            // Additions are judged against what stays after this change's own removals: a prefix the provider split is
            // replaced in the same pull request by every published prefix inside it (README "Provider feeds").
            var staying = set.Prefixes.Select(p => p.Value).Where(p => !removed.Contains(p));
            foreach (var prefix in PrefixReplacement.Additions(published, staying).OrderBy(p => Networks.Format(p), AddressOrder.Instance))
            {
                var replaces = removed.Where(r => Networks.Covers(r, prefix)).Select(r => (IPNetwork?)r).FirstOrDefault();
                yield return new Finding
                {
                    Kind = FindingKind.ProviderRangeAdded,
                    Severity = Severity.High,
                    Dependency = dependency,
                    PrefixSet = set.Name,
                    Subject = Networks.Format(prefix),
                    Message = replaces is null
                        ? $"{what} publishes {Networks.Format(prefix)}, which prefix set {set.Name} ({where}) lacks: the provider may hand it out any time. The plan adds it."
                        : $"{what} publishes {Networks.Format(prefix)} in place of {Networks.Format(replaces.Value)}, which this change removes from prefix set {set.Name} ({where}). The plan adds it.",
                    Action = FindingAction.PullRequest,
                    Evidence = [new Evidence($"{set.Provider!.Name} feed", $"{Networks.Format(prefix)} is published for {what}")],
                    Location = set.Location,
                };
            }
            foreach (var removal in removals)
            {
                var subject = Networks.Format(removal.Prefix);
                var replacements = PrefixReplacement.Replacements(removal.Prefix, published);
                var by = replacements.Count == 0 ? "" : $"; {Few(replacements)} inside it {(replacements.Count == 1 ? "is" : "are")} published in its place{(removal.Hold is null ? " and added by the same change" : "")}";
                yield return new Finding
                {
                    Kind = FindingKind.ProviderRangeRemoved,
                    Severity = removal.Hold is null ? Severity.Medium : Severity.Low,
                    Dependency = dependency,
                    PrefixSet = set.Name,
                    Subject = subject,
                    Message = removal.Hold is null
                        ? $"{subject} is no longer published for {what}{by}; prefix set {set.Name} ({where}) still admits {(replacements.Count == 0 ? "it" : "the rest of it")}, and the provider may give it to anyone."
                        : $"{subject} is no longer published for {what}{by}, {removal.Hold}.",
                    Action = removal.Hold is null ? FindingAction.PullRequest : FindingAction.None,
                    Evidence = [new Evidence($"{set.Provider!.Name} feed", $"no published {what} prefix holds {subject}"), .. removal.InUse.Take(3).Select(a => new Evidence("memory", $"{a} seen within stale_after"))],
                    Location = removal.Location,
                };
            }
        }
    }

    private sealed record Removal(IPNetwork Prefix, Diagnostics.SourceLocation Location, IReadOnlyList<string> InUse, string? Hold);

    /// <summary>
    /// Each held prefix the provider no longer publishes, and why it is kept (null: it goes). Only the part of it that
    /// no published prefix covers needs the removal proof: the rest stays admitted through its replacements.
    /// </summary>
    private static List<Removal> Removals(PolicySet policies, PrefixSet set, IReadOnlyList<(Allowlist Allowlist, AllowlistRule Rule)> users, List<IPNetwork> published,
        ILookup<string, Observation> thisRunByHost, DriftMemory memory, HandsOff handsOff, DateTimeOffset now, DeclaredSightings? declared)
    {
        var proofs = users.Select(u => policies.FindDependency(u.Rule.Dependency)).OfType<Dependency>().DistinctBy(d => d.Name)
            .Select(d => RemovalProof.For(d, thisRunByHost, memory, policies.Settings.StaleAfter, now, declared)).ToList();
        var recent = RecentAddresses(policies, users, memory, now);
        var mayRemove = users.All(u => policies.FindDependency(u.Rule.Dependency) is { } d && handsOff.MayRemoveFrom(u.Rule, d));
        var removals = new List<Removal>();
        foreach (var prefix in set.Prefixes.Where(p => !published.Any(pub => Networks.Covers(pub, p.Value))))
        {
            var remainder = PrefixReplacement.Remainder(prefix.Value, published);
            var inUse = recent.Where(a => remainder.Any(r => r.Contains(a))).Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList();
            var hold = inUse.Count > 0 ? $"but {string.Join(", ", inUse.Take(3))}{(inUse.Count > 3 ? $" and {inUse.Count - 3} more" : "")} in it were seen within stale_after, so it is kept until they are not"
                : !mayRemove ? "but a host that uses the set failed to resolve (or the rule is pinned), so it is kept"
                : Unproven(proofs, remainder) is { } why ? $"but it is not yet proven unused ({why}), so it is kept" : null;
            removals.Add(new Removal(prefix.Value, prefix.Location, inUse, hold));
        }
        return removals;
    }

    private static string Few(IReadOnlyList<IPNetwork> prefixes) =>
        string.Join(", ", prefixes.Take(4).Select(Networks.Format)) + (prefixes.Count > 4 ? $" and {prefixes.Count - 4} more" : "");

    /// <summary>Why the users' lookups do not yet prove these blocks unused, or null when every one of them does (and when there are none).</summary>
    private static string? Unproven(IReadOnlyList<RemovalProof> proofs, IReadOnlyList<IPNetwork> blocks)
    {
        foreach (var proof in proofs)
        {
            foreach (var block in blocks)
            {
                if (!proof.ProvesUnused(block, out _, out var evidence))
                    return evidence;
            }
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
