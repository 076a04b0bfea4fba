using Reconciler.Outbound;
using Reconciler.Reports;
using Reconciler.Tests.Engine;

namespace Reconciler.Tests.Outbound;

public sealed class UserAgentRulesTests
{
    [Theory]
    [InlineData("Java/1.8.0_292", Severity.High, "sends \"Java/1.8.0_292\", the JVM's default (HttpURLConnection)")]
    [InlineData("python-requests/2.31.0", Severity.High, "sends \"python-requests/2.31.0\", Python requests' default")]
    [InlineData("", Severity.High, "sends an empty user agent")]
    [InlineData("PartnerSync", Severity.Medium, "sends \"PartnerSync\", which does not start with a product token (name/version)")]
    [InlineData("partner-sync/2.4", Severity.Low, "sends \"partner-sync/2.4\", which gives no contact (a URL or an address) for the partner to reach us")]
    public void Risky_user_agents_are_judged_with_a_reason(string agent, Severity severity, string why) =>
        Assert.Equal((severity, why), UserAgentRules.Judge(agent));

    [Theory]
    [InlineData("gmc-sync/2.4 (+https://example.org/contact)")]
    [InlineData("payments-sync/1.0 (ops@example.org)")]
    public void A_user_agent_with_product_and_contact_passes(string agent) => Assert.Null(UserAgentRules.Judge(agent));

    [Fact]
    public void Each_dependency_calling_with_a_risky_identity_gets_its_finding()
    {
        var policies = DriftEngineTests.Parse("dependencies:\n  - name: gmc-api\n    hosts: [a.example]\n    identity: legacy\n  - name: other\n    hosts: [b.example]\n    identity: legacy\nidentities:\n  - name: legacy\n    user_agent: \"Java/1.8.0_292\"\n  - name: unused\n    user_agent: \"\"\n");

        var findings = UserAgentRules.Check(policies).ToList();

        Assert.Equal(["gmc-api", "other"], findings.Select(f => f.Dependency));
        Assert.All(findings, f => Assert.Equal((FindingKind.UserAgentRisk, "Java/1.8.0_292", "p.yaml:9:5"), (f.Kind, f.Subject, f.Location!.ToString())));
        Assert.Contains("e.g. \"payments-sync/2.4 (+https://example.org/contact; ops@example.org)\"", findings[0].Message, StringComparison.Ordinal);
    }
}
