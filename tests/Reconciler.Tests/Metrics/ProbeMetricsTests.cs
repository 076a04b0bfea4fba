using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Reports;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Metrics;

/// <summary>Probes in both metrics files: a probe that answered and one that did not, as promtool and line protocol read them.</summary>
public sealed class ProbeMetricsTests
{
    private static readonly Report Run = new()
    {
        Run = new RunInfo { Target = "Plan", Tool = "reconciler 1.0.0", Now = new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero), Policies = "policies", PolicyFiles = [], FailOn = "high" },
        Findings = [],
    };

    private static readonly ProbeSample[] Probes =
    [
        new("partner", new Uri("https://partner.example.test/api?q=\"x\""), "2001:db8::1", null, false, "connection refused", TimeSpan.FromMilliseconds(2.5)),
        new("partner", new Uri("https://partner.example.test/api?q=\"x\""), "192.0.2.10", 200, true, null, TimeSpan.FromMilliseconds(41.25)),
    ];

    [Fact]
    public async Task Metrics_prom_has_the_blackbox_exporters_shape_per_address_and_promtool_passes_it()
    {
        var text = Reconciler.Reports.Metrics.Prometheus(Run, ObservationSet.Empty(Run.Run.Now), Probes);

        var labels = "{dependency=\"partner\",url=\"https://partner.example.test/api?q=%22x%22\",address=\"192.0.2.10\"}";
        Assert.Contains("reconciler_probe_duration_seconds" + labels + " 0.04125\n", text, StringComparison.Ordinal);
        Assert.Contains("reconciler_probe_up" + labels + " 1\n", text, StringComparison.Ordinal);
        Assert.Contains("reconciler_probe_up{dependency=\"partner\",url=\"https://partner.example.test/api?q=%22x%22\",address=\"2001:db8::1\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("reconciler_probe_http_status_code{dependency=\"partner\",url=\"https://partner.example.test/api?q=%22x%22\",address=\"2001:db8::1\"} 0\n", text, StringComparison.Ordinal);
        // IPv4 first, as people read addresses.
        Assert.True(text.IndexOf("192.0.2.10", StringComparison.Ordinal) < text.IndexOf("2001:db8::1", StringComparison.Ordinal));
        Assert.Equal("", await Promtool.CheckMetricsAsync(text));
    }

    [Fact]
    public void Label_values_escape_backslashes_quotes_and_line_feeds() =>
        Assert.Equal("a\\\\b\\\"c\\nd", Reconciler.Reports.Metrics.Label("a\\b\"c\nd"));

    [Fact]
    public void Metrics_influx_has_one_point_per_probed_address_with_status_only_when_answered()
    {
        var lines = InfluxMetrics.Write(Run, ObservationSet.Empty(Run.Run.Now), Probes).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
        [
            "reconciler_run,target=Plan findings=0i,low=0i,medium=0i,high=0i,critical=0i,hosts=0i,hosts_resolved=0i,probes=2i,probes_up=1i 1795413600000000000",
            "reconciler_probe,address=192.0.2.10,dependency=partner,host=partner.example.test latency_ms=41.25,up=true,url=\"https://partner.example.test/api?q=%22x%22\",status=200i 1795413600000000000",
            "reconciler_probe,address=2001:db8::1,dependency=partner,host=partner.example.test latency_ms=2.5,up=false,url=\"https://partner.example.test/api?q=%22x%22\",failure=\"connection refused\" 1795413600000000000",
        ], lines);
    }

    [Fact]
    public void Shards_of_one_run_tag_their_totals_so_that_neither_overwrites_the_other()
    {
        var finding = new Finding { Kind = FindingKind.MissingIp, Severity = Severity.High, Dependency = "d", Subject = "192.0.2.1", Message = "m", Action = FindingAction.PullRequest };
        var shard = Run with { Run = Run.Run with { Shard = "2/4" }, Findings = [finding] };

        var lines = InfluxMetrics.Write(shard, ObservationSet.Empty(Run.Run.Now), []).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(["reconciler_run,shard=2/4,target=Plan", "reconciler_findings,kind=missing-ip,severity=high,shard=2/4"], lines.Select(l => l.Split(' ')[0]));
    }
}
