using System.Net.Sockets;
using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Engine;

/// <summary>Findings that the policies show by themselves, with no network: rules that admit far too much, or nothing.</summary>
public static class PolicyLint
{
    /// <remarks>
    /// A prefix the dependency's own provider publishes is judged like any other: a provider that publishes more than
    /// the policy's broadest prefix is worth a person's look, not silence (README "Provider feeds").
    /// </remarks>
    public static IReadOnlyList<Finding> Check(PolicySet policies)
    {
        var findings = new List<Finding>();
        var dependencies = policies.Dependencies.ToDictionary(d => d.Name, StringComparer.Ordinal);
        foreach (var allowlist in policies.Allowlists)
        {
            foreach (var rule in allowlist.Rules)
            {
                if (AdmitsNothing(dependencies.GetValueOrDefault(rule.Dependency), allowlist, rule) is { } why)
                {
                    findings.Add(new Finding
                    {
                        Kind = FindingKind.RuleAdmitsNothing,
                        Severity = Severity.Low,
                        Dependency = rule.Dependency,
                        Allowlist = allowlist.Name,
                        Subject = rule.Location.ToString(),
                        Message = $"this rule admits none of {rule.Dependency}'s traffic: {why}. Fix the typo or remove the rule.",
                        Action = FindingAction.Issue,
                        Location = rule.Location,
                    });
                }
                foreach (var destination in rule.Admits)
                {
                    var network = destination.Value;
                    var v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
                    var broadest = v4 ? policies.Settings.BroadestIPv4Prefix : policies.Settings.BroadestIPv6Prefix;
                    if (network.PrefixLength >= broadest)
                        continue;
                    findings.Add(new Finding
                    {
                        Kind = FindingKind.OverBroadRule,
                        Severity = network.PrefixLength == 0 ? Severity.Critical : network.PrefixLength < (v4 ? 8 : 16) ? Severity.High : Severity.Medium,
                        Dependency = rule.Dependency,
                        Allowlist = allowlist.Name,
                        Subject = network.ToString(),
                        Message = $"{network} admits {Size(network.PrefixLength, v4)} for one dependency (broadest allowed: /{broadest}); narrow it to what {rule.Dependency} uses, or track its provider's published ranges",
                        Action = FindingAction.Issue,
                        Location = destination.Location,
                    });
                }
                findings.AddRange(rule.Domains.Select(d => OverBroadDomain(allowlist, rule, d)).OfType<Finding>());
            }
        }
        return findings;
    }

    /// <summary>
    /// A proxy domain with a leading dot admits every name below it; when a public suffix lies there (<c>.com</c>,
    /// <c>.github.io</c>, or <c>.amazonaws.com</c> above <c>s3.amazonaws.com</c>), strangers register names that it
    /// admits. A bare name admits itself alone, so only dotted domains are judged.
    /// </summary>
    private static Finding? OverBroadDomain(Allowlist allowlist, AllowlistRule rule, Located<string> domain)
    {
        if (!domain.Value.StartsWith('.') || PublicSuffixes.Default.SuffixAtOrBelow(domain.Value[1..]) is not { } suffix)
            return null;
        var where = suffix == domain.Value[1..] ? $"{suffix} is a public suffix" : $"{suffix} below it is a public suffix";
        return new Finding
        {
            Kind = FindingKind.OverBroadRule,
            Severity = Severity.High,
            Dependency = rule.Dependency,
            Allowlist = allowlist.Name,
            Subject = domain.Value,
            Message = $"{domain.Value} admits names that anyone can register ({where}, Public Suffix List): {allowlist.Name} lets the clients of {rule.Dependency} reach any of them. Admit the names {rule.Dependency} calls instead",
            Action = FindingAction.Issue,
            Location = domain.Location,
        };
    }

    private static string? AdmitsNothing(Dependency? dependency, Allowlist allowlist, AllowlistRule rule)
    {
        if (dependency is null)
            return null;
        if (rule.Ports.Count > 0 && !rule.Ports.Intersect(dependency.Ports).Any())
            return $"it opens port{(rule.Ports.Count == 1 ? "" : "s")} {string.Join(", ", rule.Ports)}, and {dependency.Name} uses {string.Join(", ", dependency.Ports)}";
        if (allowlist.Facts().AdmitsDomains && rule.Domains.Count == 0 && rule.Destinations.Count == 0)
            return "it names neither domains nor destinations";
        return null;
    }

    private static string Size(int prefix, bool v4) =>
        v4 ? $"{Math.Pow(2, 32 - prefix):N0} addresses" : $"2^{128 - prefix} addresses";
}
