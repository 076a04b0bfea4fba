using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Policies.Loading;

namespace Reconciler.Tests.Engine;

public sealed class PolicyLintTests
{
    private static IReadOnlyList<Finding> Lint(params string[] destinations)
    {
        var yaml = "dependencies:\n  - name: a\n    hosts: [a.example]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: a\n        destinations: [" +
            string.Join(", ", destinations.Select(d => $"\"{d}\"")) + "]\n";
        var result = PolicyParser.Parse([new PolicySource("p.yaml", yaml)]);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return PolicyLint.Check(result.Policies!);
    }

    [Theory]
    [InlineData("0.0.0.0/0", Severity.Critical)]
    [InlineData("::/0", Severity.Critical)]
    [InlineData("10.0.0.0/7", Severity.High)]
    [InlineData("10.0.0.0/12", Severity.Medium)]
    [InlineData("2001:d00::/24", Severity.Medium)]
    public void Rules_broader_than_the_setting_are_over_broad(string network, Severity severity)
    {
        var finding = Assert.Single(Lint(network));

        Assert.Equal(FindingKind.OverBroadRule, finding.Kind);
        Assert.Equal(severity, finding.Severity);
        Assert.Equal(("a", "egress", network), (finding.Dependency, finding.Allowlist, finding.Subject));
        Assert.Equal(FindingAction.Issue, finding.Action);
        Assert.Equal((9, 24), (finding.Location!.Line, finding.Location.Column));
    }

    [Fact]
    public void Narrow_rules_are_not_findings() => Assert.Empty(Lint("10.0.0.0/16", "192.0.2.7", "2001:db8::/32"));

    [Fact]
    public void A_rule_on_ports_its_dependency_does_not_use_admits_nothing()
    {
        const string yaml = "dependencies:\n  - name: a\n    hosts: [a.example]\n    ports: [443]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: a\n        ports: [80, 8080]\n        destinations: [192.0.2.1]\n  - name: squid\n    kind: proxy\n    rules:\n      - dependency: a\n        reason: T1\n";
        var result = PolicyParser.Parse([new PolicySource("p.yaml", yaml)]);

        var findings = PolicyLint.Check(result.Policies!);

        Assert.Equal(
            ["egress p.yaml:9:9 this rule admits none of a's traffic: it opens ports 80, 8080, and a uses 443. Fix the typo or remove the rule.",
             "squid p.yaml:15:9 this rule admits none of a's traffic: it names neither domains nor destinations. Fix the typo or remove the rule."],
            findings.Select(f => $"{f.Allowlist} {f.Subject} {f.Message}"));
        Assert.All(findings, f => Assert.Equal((FindingKind.RuleAdmitsNothing, Severity.Low), (f.Kind, f.Severity)));
    }
}
