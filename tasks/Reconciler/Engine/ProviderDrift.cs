using System.Net;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Providers;

namespace Reconciler.Engine;

/// <summary>
/// What the provider feeds say about the dependencies: a <c>track: provider</c> allowlist must admit the provider's
/// published prefixes and nothing the provider no longer publishes; its DNS answers must fall inside them; and a
/// dependency that moved behind a CDN must be told, because pinning its addresses will break.
/// </summary>
public static class ProviderDrift
{
    /// <param name="memory">The memory, holding this run's observations; a removal needs its proof (<see cref="RemovalProof"/>, judged again by <see cref="RemovalGate"/>).</param>
    /// <param name="declared">Every declared host's sightings, as the removal gate counts them, so that what this rule says agrees with it.</param>
    public static IEnumerable<Finding> Check(PolicySet policies, ObservationSet observations, ProviderKnowledge providers, HandsOff handsOff, DriftMemory memory, DateTimeOffset now, DeclaredSightings? declared = null)
    {
        var byHost = observations.Observations.ToLookup(o => o.Host.ToLowerInvariant());
        foreach (var dependency in policies.Dependencies)
        {
            // Failed lookups too: a CNAME chain is learnt even when resolving the CDN's own name then fails.
            var seen = dependency.Hosts.SelectMany(h => byHost[h.Value]).ToList();
            if (dependency.Track == TrackMode.Provider && dependency.Provider is { } provider)
            {
                var published = providers.Published(provider);
                var proof = RemovalProof.For(dependency, byHost, memory, policies.Settings.StaleAfter, now, declared);
                var fed = providers.HasFeedFor(provider);
                foreach (var finding in Ranges(policies, dependency, provider, published, handsOff, fed ? proof : null))
                    yield return finding;
                foreach (var finding in OutsideRanges(dependency, provider, published, seen, providers))
                    yield return finding;
            }
            else if (dependency.Track is TrackMode.Dns or TrackMode.Static && CdnFronted(dependency, seen, providers) is { } cdn)
            {
                yield return cdn;
            }
        }
    }

    /// <param name="proof">Null when the provider's feed is not in the snapshot, or publishes nothing for this service: a feed that did not load proves nothing.</param>
    private static IEnumerable<Finding> Ranges(PolicySet policies, Dependency dependency, ProviderRef provider, IReadOnlyList<ProviderPrefix> published, HandsOff handsOff, RemovalProof? proof)
    {
        var prefixes = published.Select(p => p.Prefix).Distinct().ToList();
        var what = $"{provider.Name}{(provider.Service is null ? "" : " " + provider.Service)}{(provider.Regions.Count == 0 ? "" : " in " + string.Join(", ", provider.Regions))}";
        foreach (var allowlist in policies.Allowlists.Where(a => a.Facts().AddressOnly))
        {
            var rules = allowlist.Rules.Where(r => r.Dependency == dependency.Name).ToList();
            if (rules.Count == 0)
                continue;
            // Removals first: additions are judged against what stays after them, so a prefix the provider split is
            // replaced in the same pull request by every published prefix inside it (README "Provider feeds").
            var removals = proof is null || proof.Refused is not null ? [] : Removals(rules, prefixes, handsOff, dependency, proof);
            var staying = rules.SelectMany(r => r.Admits).Where(d => !removals.Any(x => x.Destination.Equals(d))).Select(d => d.Value).ToList();
            // A rule that admits a provider-following prefix set gets the feed's additions through the set (PrefixSetDrift).
            var followsASet = rules.Any(r => r.PrefixSet is { } set && policies.FindPrefixSet(set)?.Provider is not null);
            foreach (var prefix in followsASet ? [] : PrefixReplacement.Additions(prefixes, staying))
            {
                var replaces = removals.Select(x => x.Destination.Value).Where(r => Networks.Covers(r, prefix)).Select(r => (IPNetwork?)r).FirstOrDefault();
                yield return new Finding
                {
                    Kind = FindingKind.ProviderRangeAdded,
                    Severity = Severity.High,
                    Dependency = dependency.Name,
                    Allowlist = allowlist.Name,
                    Subject = Networks.Format(prefix),
                    Message = replaces is null
                        ? $"{what} publishes {prefix}, which {allowlist.Name} does not admit: the provider may hand it out any time. The plan adds it."
                        : $"{what} publishes {prefix} in place of {Networks.Format(replaces.Value)}, which this change removes from {allowlist.Name}. The plan adds it.",
                    Action = FindingAction.PullRequest,
                    Evidence = [new Evidence($"{provider.Name} feed", $"{prefix} is published for {what}")],
                    Location = rules[0].Location,
                };
            }
            foreach (var (destination, unused) in removals)
            {
                var replacements = PrefixReplacement.Replacements(destination.Value, prefixes);
                var by = replacements.Count == 0 ? "" : $" ({string.Join(", ", replacements.Take(4).Select(Networks.Format))}{(replacements.Count > 4 ? $" and {replacements.Count - 4} more" : "")} inside it {(replacements.Count == 1 ? "is" : "are")} published in its place and added by the same change)";
                yield return new Finding
                {
                    Kind = FindingKind.ProviderRangeRemoved,
                    Severity = Severity.Medium,
                    Dependency = dependency.Name,
                    Allowlist = allowlist.Name,
                    Subject = Networks.Format(destination.Value),
                    Message = replacements.Count > 0 && unused is null
                        ? $"{destination.Value} is no longer published for {what}{by}: nothing it admitted is lost."
                        : $"{destination.Value} is not (or no longer) published for {what}{by}, and no lookup gave an address in {(replacements.Count == 0 ? "it" : "the rest of it")}: it admits addresses the provider may give to anyone.",
                    Action = FindingAction.PullRequest,
                    Evidence = [new Evidence($"{provider.Name} feed", $"no published {what} prefix holds {destination.Value}"), .. unused is null ? Array.Empty<Evidence>() : [new Evidence("memory", unused)]],
                    Location = destination.Location,
                };
            }
        }
    }

    /// <summary>
    /// The rules' destinations the provider no longer publishes that may go, with the proof's evidence (null when
    /// published prefixes cover all of it: nothing is lost). Only the part no published prefix covers needs the proof.
    /// </summary>
    private static List<(Located<IPNetwork> Destination, string? Unused)> Removals(List<AllowlistRule> rules, List<IPNetwork> prefixes, HandsOff handsOff, Dependency dependency, RemovalProof proof)
    {
        var removals = new List<(Located<IPNetwork>, string?)>();
        foreach (var rule in rules.Where(r => handsOff.MayRemoveFrom(r, dependency)))
        {
            foreach (var destination in rule.Destinations.Where(d => !prefixes.Any(p => Networks.Covers(p, d.Value))))
            {
                var remainder = PrefixReplacement.Remainder(destination.Value, prefixes);
                string? unused = null;
                var proven = true;
                // Unpublished is not unused: DNS may still give an address inside it.
                foreach (var block in remainder)
                {
                    proven = proof.ProvesUnused(block, out _, out var evidence);
                    unused ??= evidence;
                    if (!proven)
                        break;
                }
                if (proven)
                    removals.Add((destination, unused));
            }
        }
        return removals;
    }

    private static IEnumerable<Finding> OutsideRanges(Dependency dependency, ProviderRef provider, IReadOnlyList<ProviderPrefix> published, List<Observation> seen, ProviderKnowledge providers)
    {
        var index = new PrefixIndex(published);
        foreach (var address in seen.SelectMany(o => o.Addresses.Select(a => (Observation: o, a.Address))).GroupBy(x => x.Address, StringComparer.Ordinal))
        {
            if (index.Owners(IPAddress.Parse(address.Key)).Count > 0)
                continue;
            var owners = providers.Index.Owners(IPAddress.Parse(address.Key));
            var owner = owners.Count == 0 ? "no provider in the snapshot" : string.Join(", ", owners.Select(o => $"{o.Provider} {o.Service} {o.Region}").Distinct());
            yield return new Finding
            {
                Kind = FindingKind.OutsideProviderRange,
                Severity = Severity.High,
                Dependency = dependency.Name,
                Host = address.First().Observation.Host,
                Subject = address.Key,
                Message = $"{address.First().Observation.Host} resolved to {address.Key}, outside what {provider.Name} publishes for it (it belongs to {owner}): the allowlist will refuse it. Check the provider block, or whether the host moved.",
                Action = FindingAction.Issue,
                Evidence = [.. address.Select(x => new Evidence(x.Observation.Server, $"{x.Observation.Host} {x.Observation.Type} {address.Key}", x.Observation.At))],
                Location = dependency.Location,
            };
        }
    }

    private static Finding? CdnFronted(Dependency dependency, List<Observation> seen, ProviderKnowledge providers)
    {
        var byName = seen.SelectMany(o => o.Chain.Select(name => (Cdn: CdnCatalog.CdnOfName(name), Why: $"{o.Host} is an alias of {name}", o.Server, o.At)));
        var byAddress = seen.SelectMany(o => o.Addresses.Select(a => (Cdn: CdnCatalog.CdnOfOwners(providers.Index.Owners(IPAddress.Parse(a.Address))), Why: $"{o.Host} resolves to {a.Address}, in the CDN's published ranges", o.Server, o.At)));
        var evidence = byName.Concat(byAddress).Where(x => x.Cdn is not null).DistinctBy(x => x.Why).ToList();
        if (evidence.Count == 0)
            return null;
        var cdn = evidence[0].Cdn!;
        return new Finding
        {
            Kind = FindingKind.CdnFronted,
            Severity = Severity.Medium,
            Dependency = dependency.Name,
            Host = dependency.Hosts[0].Value,
            Subject = cdn,
            Message = $"{dependency.Name} now sits behind {cdn}: its addresses are the CDN's and change without notice, so pinning them will break, and the CDN's WAF now judges our user agent and egress address. Admit it by name at a proxy instead (track: domain).",
            Action = FindingAction.Issue,
            Evidence = [.. evidence.Select(x => new Evidence(x.Server, x.Why, x.At))],
            Location = dependency.Location,
        };
    }


    /// <summary>
    /// A dns-tracked dependency that keeps rotating (four or more addresses within stale_after) over addresses that
    /// all fall in one provider's service and region is easier tracked by the provider's published prefixes.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Suggestions(PolicySet policies, DriftMemory memory, ProviderKnowledge providers, DateTimeOffset now)
    {
        var suggestions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dependency in policies.Dependencies.Where(d => d.Track == TrackMode.Dns))
        {
            var recent = dependency.Hosts
                .SelectMany(h => memory.Find(h.Value)?.Addresses.Where(a => now - a.Value.LastSeen < policies.Settings.StaleAfter).Select(a => a.Key) ?? [])
                .Distinct().ToList();
            if (recent.Count < 4)
                continue;
            // An address in a CDN's published ranges (the feeds say which, CdnCatalog) tells nothing of who serves the
            // dependency: the CDN does, and cdn-fronted tells it to admit by name instead.
            var owners = recent.Select(a => providers.Index.Owners(IPAddress.Parse(a)))
                .Select(o => CdnCatalog.CdnOfOwners(o) is null ? o.Select(x => (x.Provider, x.Service, x.Region)).ToHashSet() : []).ToList();
            var common = owners.Skip(1).Aggregate(owners[0], (all, next) => [.. all.Intersect(next)]);
            // AWS lists most prefixes under AMAZON as well as their own service: the narrower service says more.
            if (common.OrderBy(o => o.Service == "AMAZON").FirstOrDefault() is { Provider: not null } owner)
            {
                var service = owner.Service == "-" ? "" : $", service: {owner.Service}";
                var region = owner.Region == "-" ? "" : $", region: {owner.Region}";
                suggestions[dependency.Name] = $"{dependency.Name} rotated over {recent.Count} addresses within stale_after, all published by {Files.Markdown.Text(owner.Provider + (service + region).Replace(", ", " ", StringComparison.Ordinal))}: consider `track: provider` with {Files.Markdown.Code($"provider: {{ name: {owner.Provider}{service}{region} }}")}, so the allowlist follows the published prefixes instead of chasing addresses.";
            }
        }
        return suggestions;
    }
}
