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
/// dependency resolve to it today, whose is it), whether a removal cuts traffic DNS still sends there, and whether
/// new rules are over-broad or lack a reason. Only what changed is judged. Pure.
/// </summary>
public static class Reviewer
{
    /// <param name="memory">
    /// The drift memory (Plan's <c>--state</c>), already holding this run's observations: an address seen within
    /// <c>stale_after</c> counts as one the dependency uses, so a rotating pool gets the same review on every run.
    /// </param>
    public static IReadOnlyList<Finding> Judge(PolicySet after, PolicyChanges changes, ObservationSet observations, ProviderKnowledge providers, DriftMemory? memory = null, DateTimeOffset? now = null)
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
        var touched = after with { Allowlists = [.. after.Allowlists.Select(a => a with { Rules = [.. changes.TouchedRules.Where(t => t.Allowlist.Name == a.Name).Select(t => t.Rule)] })] };
        var added = changes.Admissions.Where(a => a.Added).Select(a => (a.Allowlist, a.Dependency, a.Subject)).ToHashSet();
        findings.AddRange(PolicyLint.Check(touched).Where(f => f.Kind == FindingKind.OverBroadRule && Networks.TryParse(f.Subject, out var n, out _) && added.Contains((f.Allowlist!, f.Dependency, Networks.Format(n)))));

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

    private static string Few(List<string> items) =>
        items.Count <= 8 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(8))} and {items.Count - 8} more";

    private static bool InPublishedRanges(Dependency dependency, IPNetwork network, ProviderKnowledge providers) =>
        dependency.Track == TrackMode.Provider && dependency.Provider is { } provider
        && providers.Published(provider).Any(p => p.Prefix.Contains(network.BaseAddress) && p.Prefix.PrefixLength <= network.PrefixLength);
}
