using System.Text.Json;
using Reconciler.Diagnostics;
using Reconciler.Reports;

namespace Reconciler.Tests.Reports;

public sealed class ReportTests
{
    private static Finding Missing(string subject, string evidence) => new()
    {
        Kind = FindingKind.MissingIp,
        Severity = Severity.High,
        Dependency = "aws-sns-us-east-1",
        Allowlist = "payments-egress",
        Host = "sns.us-east-1.amazonaws.com",
        Subject = subject,
        Message = "DNS gives an address the allowlist does not admit",
        Action = FindingAction.PullRequest,
        Evidence = [new Evidence("127.0.0.1:53", evidence, DateTimeOffset.Parse("2026-11-23T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture), 60)],
        Location = new SourceLocation("policies/payments.yaml", 28, 9),
    };

    private static Report Sample(params Finding[] findings) => new()
    {
        Run = new RunInfo
        {
            Target = "Plan",
            Tool = "reconciler 1.0.0",
            Now = DateTimeOffset.Parse("2026-11-23T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            Policies = "policies",
            PolicyFiles = ["policies/payments.yaml"],
            FailOn = "high",
        },
        Findings = findings,
    };

    [Fact]
    public void The_fingerprint_stays_the_same_when_only_the_evidence_changes()
    {
        Assert.Equal(Missing("54.239.1.1", "seen at 06:00").Fingerprint, Missing("54.239.1.1", "seen at 12:00").Fingerprint);
        Assert.NotEqual(Missing("54.239.1.1", "x").Fingerprint, Missing("54.239.1.2", "x").Fingerprint);
        Assert.Matches("^[0-9a-f]{16}$", Missing("54.239.1.1", "x").Fingerprint);
    }

    [Fact]
    public void Report_json_has_the_spec_fields_counts_and_kebab_case_kinds()
    {
        using var json = JsonDocument.Parse(ReportJson.Write(Sample(Missing("54.239.1.1", "x"))));
        var root = json.RootElement;

        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("Plan", root.GetProperty("run").GetProperty("target").GetString());
        Assert.Equal(1, root.GetProperty("counts").GetProperty("byKind").GetProperty("missing-ip").GetInt32());
        Assert.Equal(1, root.GetProperty("counts").GetProperty("bySeverity").GetProperty("high").GetInt32());
        var finding = root.GetProperty("findings")[0];
        foreach (var field in new[] { "kind", "severity", "dependency", "allowlist", "host", "subject", "evidence", "fingerprint", "action", "location" })
            Assert.True(finding.TryGetProperty(field, out _), field);
        Assert.Equal("missing-ip", finding.GetProperty("kind").GetString());
        Assert.Equal("pull-request", finding.GetProperty("action").GetString());
        Assert.Equal("policies/payments.yaml:28:9", finding.GetProperty("location").GetString());
        Assert.Equal(60, finding.GetProperty("evidence")[0].GetProperty("ttl").GetInt32());
    }

    [Fact]
    public void Report_markdown_leads_with_a_headline_and_escapes_table_cells()
    {
        var md = ReportMarkdown.Write(Sample(Missing("54.239.1.1", "x") with { Message = "a | b" }));

        Assert.StartsWith("# Reconciler Plan: 1 finding (1 high)", md, StringComparison.Ordinal);
        Assert.Contains("| high | `missing-ip` | aws-sns-us-east-1 | payments-egress | `54.239.1.1` | a \\| b |", md, StringComparison.Ordinal);
        Assert.StartsWith("# Reconciler Plan: no drift", ReportMarkdown.Write(Sample()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Severity.Low, true)]
    [InlineData(Severity.High, true)]
    [InlineData(Severity.Critical, false)]
    public void Fail_on_compares_severities_in_order(Severity threshold, bool fails) =>
        Assert.Equal(fails, Sample(Missing("54.239.1.1", "x")).HasFindingsAtOrAbove(threshold));
}
