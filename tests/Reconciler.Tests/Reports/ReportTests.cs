using System.Text.Json;
using Reconciler.Diagnostics;
using Reconciler.Findings;
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

    private static Finding Blocked(string? waf) => new()
    {
        Kind = FindingKind.ProbeBlocked, Severity = Severity.High, Dependency = "gmc-api", Host = "webservices.gmc-uk.org", Subject = "104.18.22.5",
        Message = "https://webservices.gmc-uk.org/ at 104.18.22.5 was refused by Akamai (403).", Action = FindingAction.Issue, Waf = waf,
    };

    [Fact]
    public void A_refused_probe_carries_its_WAF_on_the_wire_and_reads_it_back_from_there()
    {
        var written = ReportJson.Write(Sample(Blocked("Cloudflare"), Missing("54.239.1.1", "x")));
        using var json = JsonDocument.Parse(written);

        Assert.Equal("Cloudflare", json.RootElement.GetProperty("findings")[0].GetProperty("waf").GetString());
        Assert.Equal("Cloudflare", ReportJson.Read(written).Findings[0].Waf);
        // Absent when null: every other finding is written as it was before the field existed.
        Assert.False(json.RootElement.GetProperty("findings")[1].TryGetProperty("waf", out _));
        Assert.DoesNotContain("\"waf\"", ReportJson.Write(Sample(Blocked(null), Missing("54.239.1.1", "x"))), StringComparison.Ordinal);
    }

    [Fact]
    public void Why_a_removal_was_kept_travels_on_the_wire_so_a_merged_report_is_judged_by_it()
    {
        var held = Missing("54.239.1.1", "x") with { Kind = FindingKind.StaleIp, Action = FindingAction.None, Kept = RemovalKept.Held };
        var unproven = held with { Subject = "54.239.1.2", Kept = RemovalKept.Unproven };
        var written = ReportJson.Write(Sample(held, unproven, Missing("54.239.1.3", "x")));
        using var json = JsonDocument.Parse(written);

        var wire = json.RootElement.GetProperty("findings").EnumerateArray().ToDictionary(f => f.GetProperty("subject").GetString()!);
        Assert.Equal("held", wire["54.239.1.1"].GetProperty("kept").GetString());
        Assert.Equal("unproven", wire["54.239.1.2"].GetProperty("kept").GetString());
        var read = ReportJson.Read(written).Findings.ToDictionary(f => f.Subject, f => f.Kept);
        Assert.Equal(RemovalKept.Held, read["54.239.1.1"]);
        Assert.Equal(RemovalKept.Unproven, read["54.239.1.2"]);
        Assert.Null(read["54.239.1.3"]);
        // Absent when null: every other finding is written as before the field existed.
        Assert.False(wire["54.239.1.3"].TryGetProperty("kept", out _));
    }

    [Fact]
    public void A_WAF_named_only_in_the_message_is_not_read_back()
    {
        // The message is for people: a report without the field has no WAF, whatever its sentence says.
        Assert.Null(ReportJson.Read(ReportJson.Write(Sample(Blocked(null)))).Findings[0].Waf);
        // Control: the same finding with the field does.
        Assert.Equal("Akamai", ReportJson.Read(ReportJson.Write(Sample(Blocked("Akamai")))).Findings[0].Waf);
    }
}

public sealed class ShardAndMergeTests
{
    [Fact]
    public void Shards_split_the_dependencies_stably_and_cover_them_exactly_once()
    {
        var names = Enumerable.Range(0, 1000).Select(i => $"dependency-{i}").ToList();
        var shards = Enumerable.Range(1, 4).Select(i => new Reconciler.Run.Shard(i, 4)).ToList();

        var taken = names.Select(n => shards.Count(s => s.Takes(n))).ToList();

        Assert.All(taken, count => Assert.Equal(1, count));
        Assert.All(shards, s => Assert.InRange(names.Count(s.Takes), 200, 300));
        Assert.Equal([false, false, false, true], shards.Select(s => s.Takes("gmc-api")));   // FNV-1a: the same on every machine
    }

    [Fact]
    public void A_report_reads_back_as_it_was_written()
    {
        var report = new Report
        {
            Run = new RunInfo { Target = "Plan", Tool = "reconciler 1.0.0", Now = DateTimeOffset.UnixEpoch, Policies = "policies", PolicyFiles = ["policies/p.yaml"], FailOn = "high", Shard = "2/4" },
            Findings = [new Finding { Kind = FindingKind.StaleIp, Severity = Severity.Low, Dependency = "a", Allowlist = "egress", Subject = "192.0.2.1", Message = "m", Action = FindingAction.PullRequest, Evidence = [new Evidence("memory", "x", DateTimeOffset.UnixEpoch, 60)], Location = new Reconciler.Diagnostics.SourceLocation("policies/p.yaml", 3, 9) }],
            Notes = ["n"],
        };

        Assert.Equal(ReportJson.Write(report), ReportJson.Write(ReportJson.Read(ReportJson.Write(report))));
    }
}
