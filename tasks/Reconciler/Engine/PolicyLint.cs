using System.Net.Sockets;
using Reconciler.Policies.Model;
using Reconciler.Reports;

namespace Reconciler.Engine;

/// <summary>Findings that the policies show by themselves, with no network: rules that admit far too much.</summary>
public static class PolicyLint
{
    public static IReadOnlyList<Finding> Check(PolicySet policies)
    {
        var findings = new List<Finding>();
        foreach (var allowlist in policies.Allowlists)
        {
            foreach (var rule in allowlist.Rules)
            {
                foreach (var destination in rule.Destinations)
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
            }
        }
        return findings;
    }

    private static string Size(int prefix, bool v4) =>
        v4 ? $"{Math.Pow(2, 32 - prefix):N0} addresses" : $"2^{128 - prefix} addresses";
}
