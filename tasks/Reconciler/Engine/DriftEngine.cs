using System.Net;
using Reconciler.Dns.Resolution;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Engine;

/// <summary>
/// Desired state (the policies) against observed state (DNS, remembered across runs) gives findings. A pure
/// function over records: the same policies, observations, memory and time give the same findings.
/// </summary>
public static class DriftEngine
{
    /// <param name="memory">The memory between runs, already holding this run's observations.</param>
    /// <param name="handsOff">What the diff must not touch (frozen hosts, pinned rules); it silences nothing here: <see cref="HandsOff.Silence"/> does, once, after every source.</param>
    /// <param name="providers">The provider feeds; without them, provider tracking and CDN checks are skipped.</param>
    public static IReadOnlyList<Finding> Diff(PolicySet policies, ObservationSet observations, DriftMemory memory, DateTimeOffset now, HandsOff handsOff, Providers.ProviderKnowledge? providers = null)
    {
        var byHost = observations.Observations.ToLookup(o => o.Host.ToLowerInvariant());
        // Indexed once: scanning every allowlist's rules for every dependency is quadratic on a large estate.
        var rulesOf = policies.Allowlists.SelectMany(a => a.Rules.Select(r => (Allowlist: a, Rule: r))).ToLookup(x => x.Rule.Dependency);
        var findings = new List<Finding>();
        // Built once, when the first removal is judged: every declared host's sightings, whichever dependency has it now.
        DeclaredSightings? declared = null;
        foreach (var dependency in policies.Dependencies)
        {
            var seen = dependency.Hosts.SelectMany(h => byHost[h.Value]).ToList();
            findings.AddRange(ResolutionFailures(dependency, seen));
            if (dependency.Track is not (TrackMode.Dns or TrackMode.Static))
                continue;
            foreach (var byAllowlist in rulesOf[dependency.Name].GroupBy(x => x.Allowlist))
            {
                var allowlist = byAllowlist.Key;
                var rules = byAllowlist.Select(x => x.Rule).ToList();
                if (AdmittedByName(allowlist, rules, dependency))
                    continue;
                findings.AddRange(Unadmitted(dependency, allowlist, rules, seen, memory, policies.Settings.StaleAfter, now));
                if (dependency.Track == TrackMode.Dns)
                    findings.AddRange(Stale(dependency, allowlist, rules, RemovalProof.For(dependency, byHost, memory, policies.Settings.StaleAfter, now, declared ??= DeclaredSightings.Of(policies, byHost, memory)), handsOff, policies.Settings.StaleAfter));
            }
        }
        if (providers is not null)
        {
            declared ??= DeclaredSightings.Of(policies, byHost, memory);
            findings.AddRange(ProviderDrift.Check(policies, observations, providers, handsOff, memory, now, declared));
            findings.AddRange(PrefixSetDrift.Check(policies, byHost, memory, providers, handsOff, now, declared));
        }
        findings.AddRange(PolicyLint.Check(policies));
        findings.AddRange(handsOff.Expired.Select(ExpiredIgnore));
        return findings;
    }

    private static IEnumerable<Finding> ResolutionFailures(Dependency dependency, List<Observation> seen)
    {
        foreach (var host in seen.Where(o => !o.Succeeded).GroupBy(o => o.Host.ToLowerInvariant()))
        {
            var nxdomain = host.Any(o => o.Outcome == DnsOutcome.NxDomain);
            var outcomes = string.Join(", ", host.Select(o => o.Outcome.ToString().ToUpperInvariant()).Distinct());
            yield return new Finding
            {
                Kind = FindingKind.ResolutionFailed,
                Severity = nxdomain ? Severity.High : Severity.Medium,
                Dependency = dependency.Name,
                Host = host.Key,
                Subject = host.Key,
                Message = $"{host.Key} did not resolve ({outcomes}); nothing it had is removed while it fails. " +
                    (nxdomain ? "The name does not exist: check with the owner whether the endpoint moved." : "Check the resolvers; a lasting failure means an outage ahead."),
                Action = FindingAction.Issue,
                Evidence = [.. host.Select(o => new Evidence(o.Server, $"{o.Type} {o.Outcome}{(o.Error is null ? "" : ": " + o.Error)}", o.At))],
                Location = dependency.Location,
            };
        }
    }

    /// <summary>A rule of a kind that matches names (a proxy) that names the host's domain admits it whatever its addresses.</summary>
    private static bool AdmittedByName(Allowlist allowlist, List<AllowlistRule> rules, Dependency dependency) =>
        allowlist.Facts().AdmitsDomains
        && dependency.Hosts.All(h => rules.SelectMany(r => r.Domains).Any(d => DomainAdmits(d.Value, h.Value)));

    /// <summary>Whether a proxy domain admits a host, as squid's <c>dstdomain</c> does: a leading dot admits the name and every name below it.</summary>
    internal static bool DomainAdmits(string domain, string host) =>
        domain.StartsWith('.')
            ? host.Equals(domain[1..], StringComparison.OrdinalIgnoreCase) || host.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
            : host.Equals(domain, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Addresses the hosts gave within <c>stale_after</c> (this run's and remembered ones: a rotating pool is learnt
    /// across samples and runs) that no rule of the allowlist admits.
    /// </summary>
    private static IEnumerable<Finding> Unadmitted(Dependency dependency, Allowlist allowlist, List<AllowlistRule> rules, List<Observation> seen, DriftMemory memory, TimeSpan staleAfter, DateTimeOffset now)
    {
        var admitted = rules.SelectMany(r => r.Admits).Select(d => d.Value).ToList();
        var current = seen.Where(o => o.Succeeded)
            .SelectMany(o => o.Addresses.Select(a => (Observation: o, a.Address, a.Ttl)))
            .ToLookup(x => x.Address, StringComparer.Ordinal);
        var recent = dependency.Hosts
            .SelectMany(h => memory.Find(h.Value)?.Addresses.Select(a => (Host: h.Value, Address: a.Key, Memory: a.Value)) ?? [])
            .Where(a => now - a.Memory.LastSeen < staleAfter)
            .GroupBy(a => a.Address, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var isStatic = dependency.Track == TrackMode.Static;
        foreach (var address in recent)
        {
            if (admitted.Any(n => n.Contains(IPAddress.Parse(address.Key))))
                continue;
            var hosts = string.Join(", ", address.Select(a => a.Host).Distinct(StringComparer.OrdinalIgnoreCase));
            var evidence = current[address.Key].Any()
                ? current[address.Key].DistinctBy(x => (x.Observation.Server, x.Observation.Type)).Select(x => new Evidence(
                    x.Observation.Server,
                    $"{x.Observation.Host} {x.Observation.Type} {address.Key}{(x.Observation.Chain.Count > 0 ? " via " + string.Join(" > ", x.Observation.Chain) : "")}",
                    x.Observation.At,
                    x.Ttl))
                : address.Select(a => new Evidence("memory", $"{a.Host} gave {address.Key}, first seen {a.Memory.FirstSeen:yyyy-MM-dd HH:mm}, last seen {a.Memory.LastSeen:yyyy-MM-dd HH:mm}", a.Memory.LastSeen));
            yield return new Finding
            {
                Kind = isStatic ? FindingKind.StaticIpChanged : FindingKind.MissingIp,
                Severity = Severity.High,
                Dependency = dependency.Name,
                Allowlist = allowlist.Name,
                Host = address.First().Host,
                Subject = address.Key,
                Message = isStatic
                    ? $"{hosts} resolved to {address.Key}, outside the addresses the partner gave; ask the partner whether they moved before admitting it."
                    : $"DNS gives {address.Key} for {hosts}, which {allowlist.Name} does not admit: traffic to it is dropped. The plan adds it.",
                Action = isStatic ? FindingAction.Issue : FindingAction.PullRequest,
                Evidence = [.. evidence],
                Location = rules[0].Location,
            };
        }
    }

    private static IEnumerable<Finding> Stale(Dependency dependency, Allowlist allowlist, List<AllowlistRule> rules, RemovalProof proof, HandsOff handsOff, TimeSpan staleAfter)
    {
        if (proof.Refused is not null)
            yield break;
        foreach (var rule in rules.Where(r => handsOff.MayRemoveFrom(r, dependency)))
        {
            foreach (var destination in rule.Destinations)
            {
                if (!proof.ProvesUnused(destination.Value, out var lastSeen, out var evidence))
                    continue;
                var subject = Networks.Format(destination.Value);
                yield return new Finding
                {
                    Kind = FindingKind.StaleIp,
                    Severity = Severity.Low,
                    Dependency = dependency.Name,
                    Allowlist = allowlist.Name,
                    Host = dependency.Hosts[0].Value,
                    Subject = subject,
                    Message = $"{subject} has not been seen for {dependency.Name} {(lastSeen is { } l ? "since " + l.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "at all")} over stale_after ({staleAfter.TotalDays:0.#}d) of successful lookups: it admits traffic nobody needs.",
                    Action = FindingAction.PullRequest,
                    Evidence = [new Evidence("memory", evidence, lastSeen)],
                    Location = destination.Location,
                };
            }
        }
    }

    private static Finding ExpiredIgnore(IgnoreEntry ignore) => new()
    {
        Kind = FindingKind.IgnoreExpired,
        Severity = Severity.Low,
        Dependency = ignore.Dependency ?? "*",
        Subject = ignore.Location.ToString(),
        Message = $"the ignore entry for {ignore.Kind ?? "any kind"} of {ignore.Dependency ?? "any dependency"}{(ignore.Subject is null ? "" : " (" + ignore.Subject + ")")} expired on {ignore.Expires:yyyy-MM-dd}: renew it with a reason, or remove it ('{ignore.Reason}').",
        Action = FindingAction.Issue,
        Location = ignore.Location,
    };
}
