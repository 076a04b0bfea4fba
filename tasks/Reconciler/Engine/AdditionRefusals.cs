using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Engine;

/// <summary>
/// Every addition any rule proposes passes the <see cref="AdditionGate"/> here, once, whichever rule found it. What
/// the gate refuses becomes a high <c>addition-refused</c> issue saying which answer, from where, for which host and
/// why; the rest pass unchanged. Pure.
/// </summary>
public static class AdditionRefusals
{
    public static IReadOnlyList<Finding> Apply(PolicySet policies, IEnumerable<Finding> findings)
    {
        var gate = new AdditionGate(policies);
        var result = new List<Finding>();
        foreach (var finding in findings)
        {
            var refusal = finding.ProposesAddition() ? gate.Refusal(finding.Dependency, finding.Subject) : null;
            result.Add(refusal is null ? finding : Refused(finding, refusal));
        }
        return result;
    }

    private static Finding Refused(Finding addition, string refusal)
    {
        var servers = addition.Evidence.Select(e => e.Source).Where(s => s != "memory").Distinct(StringComparer.Ordinal).ToList();
        var origin = addition.Kind.Facts().Source == FindingSource.Dns
            ? $"DNS answered {addition.Subject} for {addition.Host ?? addition.Dependency} " + (servers.Count > 0 ? $"at {string.Join(", ", servers)}" : "in an earlier run (memory)")
            : addition.Evidence.Count > 0 ? $"{addition.Evidence[0].Detail} ({addition.Evidence[0].Source})" : $"{addition.Kind.ToWire()} {addition.Subject}";
        var into = addition.Allowlist ?? (addition.PrefixSet is { } set ? "prefix set " + set : "the allowlist");
        return addition with
        {
            Kind = FindingKind.AdditionRefused,
            Severity = Severity.High,
            Message = $"{origin}: {addition.Subject} is {refusal}, so it is not proposed for {into} (README \"Trust boundary\").",
            Action = FindingAction.Issue,
        };
    }
}
