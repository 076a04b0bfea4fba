using System.Net;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Providers;

namespace Reconciler.Review;

/// <summary>
/// Judges a pull request's policy changes as a careful network engineer would: what each added address is (does the
/// dependency resolve to it today, whose is it, does the admission gate take it), whether a removal cuts traffic DNS
/// still sends there, whether new rules are over-broad or lack a reason, and every other widening against the base's
/// settings (<see cref="WideningJudgement"/>). Only what changed is judged. Pure.
/// </summary>
public static class Reviewer
{
    /// <param name="memory">
    /// The drift memory (Plan's <c>--state</c>), already holding this run's observations: an address seen within
    /// <c>stale_after</c> counts as one the dependency uses, so a rotating pool gets the same review on every run.
    /// </param>
    /// <param name="before">The base's policies: widenings are judged by its settings and its gate, so a change cannot loosen its own review.</param>
    public static IReadOnlyList<Finding> Judge(PolicySet after, PolicyChanges changes, ObservationSet observations, ProviderKnowledge providers, DriftMemory? memory = null, DateTimeOffset? now = null, PolicySet? before = null)
    {
        var findings = new List<Finding>();
        var seen = SeenAddresses.Of(after, observations, memory, now);
        var failed = observations.Observations.Where(o => !o.Succeeded).Select(o => o.Host).ToHashSet(StringComparer.OrdinalIgnoreCase);

        foreach (var (allowlist, rule) in changes.TouchedRules)
        {
            if (string.IsNullOrWhiteSpace(rule.Reason))
            {
                findings.Add(new Finding
                {
                    Kind = FindingKind.RuleWithoutReason,
                    Severity = Severity.Medium,
                    Dependency = rule.Dependency,
                    Allowlist = allowlist.Name,
                    Subject = rule.Location.ToString(),
                    Message = $"this rule for {rule.Dependency} does not say why it exists; add `reason:` (a ticket or a sentence) so the next reader can tell whether it is still needed",
                    Action = FindingAction.None,
                    Location = rule.Location,
                });
            }
        }
        var touched = after with
        {
            Allowlists = [.. after.Allowlists.Select(a => a with { Rules = [.. changes.TouchedRules.Where(t => t.Allowlist.Name == a.Name).Select(t => t.Rule)] })],
            Settings = before?.Settings ?? after.Settings,
        };
        var added = changes.Admissions.Where(a => a.Added).Select(a => (a.Allowlist, a.Dependency, a.Subject)).ToHashSet();
        var overBroad = PolicyLint.Check(touched).Where(f => f.Kind == FindingKind.OverBroadRule
            && added.Contains((f.Allowlist!, f.Dependency, Networks.TryParse(f.Subject, out var n, out _) ? Networks.Format(n) : f.Subject))).ToList();
        findings.AddRange(overBroad);
        var gate = new AdditionGate(GateBasis(before, after));
        findings.AddRange(AddedDomains(after, changes, overBroad));
        findings.AddRange(RefusedDestinations(changes, gate));
        findings.AddRange(WideningJudgement.Judge(changes.Widenings, after, observations, gate, now ?? observations.At));

        foreach (var change in changes.Admissions.Where(a => !a.IsDomain))
        {
            if (after.FindDependency(change.Dependency) is not { } dependency)
                continue;
            var hosts = dependency.Hosts.Select(h => h.Value).ToList();
            var addresses = hosts.SelectMany(h => seen.GetValueOrDefault(h) ?? []).Distinct().ToList();
            if (hosts.Any(failed.Contains) && addresses.Count == 0 && !(change.Added && dependency.Track == TrackMode.Provider))
                continue; // nothing to judge by but the provider's ranges: the failed lookups are noted in the review
            if (!Networks.TryParse(change.Subject, out var network, out _))
                continue;
            var resolvedHere = addresses.Where(network.Contains).ToList();
            var answers = addresses.Count == 0 ? "nothing" : string.Join(", ", addresses.Order(Comparer<IPAddress>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()))));
            var evidence = hosts.Select(h => new Evidence(memory is null ? "dns" : "dns and memory", $"{h} {(memory is null ? "resolves" : "resolved within stale_after")} to {Few(seen.GetValueOrDefault(h)?.Select(a => a.ToString()).ToList() ?? ["nothing"])}")).ToList();
            if (change.Added)
            {
                if (resolvedHere.Count > 0 || InPublishedRanges(dependency, network, providers))
                    continue;
                var owners = providers.Index.Owners(network.BaseAddress).Select(p => $"{p.Provider} {p.Service} {p.Region}".Trim()).Distinct().ToList();
                var owner = owners.Count == 0 ? "no provider Reconciler knows of" : string.Join(", ", owners);
                findings.Add(new Finding
                {
                    Kind = FindingKind.AddressNotResolved,
                    Severity = Severity.High,
                    Dependency = change.Dependency,
                    Allowlist = change.Allowlist,
                    Subject = change.Subject,
                    Message = $"{change.Subject} is not an address {change.Dependency} resolves to (its hosts give {answers}) nor in its provider's published ranges; it belongs to {owner}. Check that the rule names the right dependency and address",
                    Action = FindingAction.None,
                    Evidence = [.. evidence, new Evidence("providers", $"{change.Subject} belongs to {owner}")],
                    Location = change.Location,
                });
            }
            else
            {
                var stillAdmitted = (after.FindAllowlist(change.Allowlist)?.Rules ?? []).Where(r => r.Dependency == change.Dependency).SelectMany(r => r.Admits).Select(d => d.Value).ToList();
                var cut = resolvedHere.Where(a => !stillAdmitted.Any(n => n.Contains(a))).ToList();
                if (cut.Count == 0)
                    continue;
                findings.Add(new Finding
                {
                    Kind = FindingKind.RemovalInUse,
                    Severity = Severity.High,
                    Dependency = change.Dependency,
                    Allowlist = change.Allowlist,
                    Subject = change.Subject,
                    Message = $"removing {change.Subject} from {change.Allowlist} cuts {change.Dependency}'s traffic: its hosts resolve to {string.Join(", ", cut)} today. Keep it until DNS stops giving it (Reconciler proposes the removal once it has been unseen for stale_after)",
                    Action = FindingAction.None,
                    Evidence = evidence,
                    Location = change.Location,
                });
            }
        }
        return findings;
    }

    /// <summary>
    /// The gate as the base declares it: a dependency's private ranges from the base only, and every egress address of
    /// either side, so a pull request cannot make its own additions admissible.
    /// </summary>
    private static PolicySet GateBasis(PolicySet? before, PolicySet after) => after with
    {
        Dependencies = [.. after.Dependencies.Select(d => d with { PrivateRanges = before?.FindDependency(d.Name)?.PrivateRanges ?? [] })],
        Identities = [.. after.Identities.Concat(before?.Identities ?? [])],
    };

    /// <summary>An added destination the admission gate refuses: whatever DNS says, it is never a partner's address.</summary>
    private static IEnumerable<Finding> RefusedDestinations(PolicyChanges changes, AdditionGate gate) =>
        changes.Admissions.Where(a => a.Added && !a.IsDomain)
            .Select(a => (Change: a, Why: gate.Refusal(a.Dependency, a.Subject)))
            .Where(a => a.Why is not null)
            .Select(a => new Finding
            {
                Kind = FindingKind.PolicyWidened,
                Severity = Severity.High,
                Dependency = a.Change.Dependency,
                Allowlist = a.Change.Allowlist,
                Subject = a.Change.Subject,
                Message = $"{a.Change.Subject} is {a.Why}: the admission gate never proposes it, and {a.Change.Allowlist} should not admit it for {a.Change.Dependency} either",
                Action = FindingAction.None,
                Location = a.Change.Location,
            });

    /// <summary>An added proxy domain that admits none of the dependency's hosts admits names it does not use (over-broad ones are already reported).</summary>
    private static IEnumerable<Finding> AddedDomains(PolicySet after, PolicyChanges changes, List<Finding> overBroad)
    {
        foreach (var change in changes.Admissions.Where(a => a.Added && a.IsDomain))
        {
            var hosts = after.FindDependency(change.Dependency)?.Hosts.Select(h => h.Value).ToList() ?? [];
            if (hosts.Any(h => DriftEngine.DomainAdmits(change.Subject, h)) || overBroad.Any(f => f.Allowlist == change.Allowlist && f.Subject == change.Subject))
                continue;
            yield return new Finding
            {
                Kind = FindingKind.PolicyWidened,
                Severity = Severity.Medium,
                Dependency = change.Dependency,
                Allowlist = change.Allowlist,
                Subject = change.Subject,
                Message = $"{change.Allowlist} now admits {change.Subject} for {change.Dependency}, which names none of its hosts ({(hosts.Count == 0 ? "none" : string.Join(", ", hosts))}); admit the names {change.Dependency} calls",
                Action = FindingAction.None,
                Location = change.Location,
            };
        }
    }

    private static string Few(List<string> items) =>
        items.Count <= 8 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(8))} and {items.Count - 8} more";

    private static bool InPublishedRanges(Dependency dependency, IPNetwork network, ProviderKnowledge providers) =>
        dependency.Track == TrackMode.Provider && dependency.Provider is { } provider
        && providers.Published(provider).Any(p => p.Prefix.Contains(network.BaseAddress) && p.Prefix.PrefixLength <= network.PrefixLength);
}
