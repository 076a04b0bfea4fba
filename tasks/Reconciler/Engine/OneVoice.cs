using Reconciler.Policies.Validation;
using Reconciler.Findings;

namespace Reconciler.Engine;

/// <summary>
/// One voice per dependency: a dependency that now sits behind a CDN gets no pull request pinning the CDN's addresses
/// (the cdn-fronted issue explains the move to a proxy instead), and the addresses DNS now gives that no rule admits
/// are told in that issue, which is then high: traffic to them is dropped today. Pure.
/// </summary>
public static class OneVoice
{
    public static List<Finding> Apply(IReadOnlyList<Finding> findings)
    {
        var fronted = findings.Where(f => f.Kind == FindingKind.CdnFronted).ToDictionary(f => f.Dependency, StringComparer.Ordinal);
        if (fronted.Count == 0)
            return [.. findings];
        var pins = findings.Where(f => f.Kind is FindingKind.MissingIp or FindingKind.StaticIpChanged && fronted.ContainsKey(f.Dependency)).ToList();
        var result = new List<Finding>();
        foreach (var finding in findings)
        {
            if (pins.Contains(finding))
                continue;
            if (finding.Kind == FindingKind.CdnFronted && pins.Where(p => p.Dependency == finding.Dependency).ToList() is { Count: > 0 } unadmitted)
            {
                var addresses = unadmitted.Select(p => p.Subject).Distinct().OrderBy(a => a, AddressOrder.Instance).ToList();
                var allowlists = unadmitted.Select(p => p.Allowlist).OfType<string>().Distinct().ToList();
                result.Add(finding with
                {
                    Severity = Severity.High,
                    Message = finding.Message + $" DNS now gives {Few(addresses)}, which {string.Join(", ", allowlists)} does not admit: that traffic is dropped today, and pinning the CDN's addresses would only hold until it moves them.",
                    Evidence = [.. finding.Evidence, .. unadmitted.SelectMany(p => p.Evidence).DistinctBy(e => (e.Source, e.Detail))],
                });
                continue;
            }
            result.Add(finding);
        }
        return result;
    }

    private static string Few(List<string> items) =>
        items.Count <= 3 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(3))} and {items.Count - 3} more";
}
