using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Observe;

namespace Reconciler.Tests.Engine;

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

public sealed class IgnoreAcrossChecksTests
{
    [Fact]
    public async Task An_ignore_entry_silences_a_user_agent_risk_as_it_does_dns_findings()
    {
        var folder = Directory.CreateTempSubdirectory("reconciler-ignore-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "policies"));
            await File.WriteAllTextAsync(Path.Combine(folder, "policies", "p.yaml"), "dependencies:\n  - name: gmc-api\n    hosts: [a.example]\n    identity: legacy\n  - name: other\n    hosts: [b.example]\n    identity: legacy\nidentities:\n  - name: legacy\n    user_agent: \"Java/1.8.0_292\"\nignore:\n  - dependency: gmc-api\n    kind: user-agent-risk\n    reason: vendor client, T201600\n    expires: 2099-01-31\n");
            var replay = Path.Combine(folder, "observations.json");
            await File.WriteAllTextAsync(replay, ObservationSet.Empty(DriftEngineTests.Now).ToJson());
            var run = new Reconciler.Run.ReconcilerRun(new Reconciler.Run.RunOptions
            {
                Target = "Plan",
                Policies = Path.Combine(folder, "policies"),
                Out = Path.Combine(folder, "out"),
                Observations = replay,
                Now = DriftEngineTests.Now,
            }, new Reconciler.Tests.Support.CollectingLog());

            var report = (await run.PlanAsync()).Report;

            Assert.Equal(["user-agent-risk other"], report.Findings.Select(f => $"{f.Kind.ToWire()} {f.Dependency}"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
