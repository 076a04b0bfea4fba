using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Reconciler.Findings;
using Reconciler.Reports;
using Reconciler.Run;
using Reconciler.Tests.Support;
using Xunit.Abstractions;

namespace Reconciler.Tests.Metrics;

/// <summary>
/// Scheduled runs against Knot, with the memory kept between them: a JVM client that caches forever calls a pool
/// that rotates and a name that stays put; a partner is probed on loopback; the metrics go to a real InfluxDB 1.x
/// and are read back, and promtool checks metrics.prom.
/// </summary>
[Collection(DnsServersGroup.Name)]
public sealed class ClientCacheAndMetricsScenarioTests(DnsServersFixture servers, ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-cache-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string Policies(int port)
    {
        var folder = Path.Combine(_scratch, "policies");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "p.yaml"), $$"""
            dependencies:
              - name: notifications
                hosts: [cachepool.example.test]
                identity: notifier
              - name: partner
                hosts: [waf.example.test]
                identity: notifier
                probe: { url: "http://waf.example.test:{{port}}/api", expect_status: [200] }
            identities:
              - name: notifier
                user_agent: "notifier/3.1 (+https://example.org/contact) Java/17"
                dns_cache_ttl: forever
            settings:
              samples: 1
              stale_after: 2d
            """);
        return folder;
    }

    private async Task<(Report Report, ReconcilerRun Run)> PlanAsync(string policies, int run, string first, string second, Reconciler.Reports.InfluxEndpoint? influx = null)
    {
        // The fixture's zone has no cachepool until the first run adds it.
        string[][] set = [["zone-set", "cachepool", "60", "A", first], ["zone-set", "cachepool", "60", "A", second]];
        await servers.Knot.ChangeAsync("example.test", run == 0 ? set : [["zone-unset", "cachepool"], .. set]);
        var reconciler = new ReconcilerRun(new RunOptions
        {
            Target = "Plan",
            Policies = policies,
            Out = Path.Combine(_scratch, "out"),
            Nameservers = [servers.Knot.V4],
            State = Path.Combine(_scratch, "state.json"),
            Now = Start.AddHours(6 * run),
            Influx = influx,
        }, new CollectingLog());
        return ((await reconciler.PlanAsync()).Report, reconciler);
    }

    [Fact]
    public async Task A_forever_cache_on_a_rotating_pool_is_high_and_the_metrics_reach_influxdb_and_pass_promtool()
    {
        var port = ExternalTool.FreePort();
        await using var partner = await PartnerServers.StartAsync(System.Net.IPAddress.Parse("127.0.0.2"), port, c => c.Response.WriteAsync("ok"));
        var policies = Policies(port);
        await using var influx = await InfluxServer.StartAsync();
        await influx.QueryAsync("CREATE DATABASE reconciler", database: null, credentials: null);

        // Run 0: the pool as first seen. Run 1: the provider pulled .1 and .2 and serves .3 and .4.
        var (first, _) = await PlanAsync(policies, 0, "192.0.2.1", "192.0.2.2");
        var (rotated, _) = await PlanAsync(policies, 1, "192.0.2.3", "192.0.2.4", Reconciler.Reports.InfluxEndpoint.TryParse(influx.WriteUrl("reconciler").ToString(), out var endpoint, out _) ? endpoint : null);

        Finding Cache(Report r, string dependency) => r.Findings.Single(f => f.Kind == FindingKind.DnsCacheTooLong && f.Dependency == dependency);
        Assert.Equal((Severity.Medium, Severity.Medium), (Cache(first, "notifications").Severity, Cache(first, "partner").Severity));
        var pulled = Cache(rotated, "notifications");
        output.WriteLine(JsonSerializer.Serialize(pulled, ReportJson.Options));
        Assert.Equal(Severity.High, pulled.Severity);
        Assert.Contains("cachepool.example.test: 192.0.2.3, 192.0.2.4 came and 192.0.2.1, 192.0.2.2 went within 2d", pulled.Message, StringComparison.Ordinal);
        Assert.Contains("networkaddress.cache.ttl=60", pulled.Message, StringComparison.Ordinal);
        Assert.Equal(Severity.Medium, Cache(rotated, "partner").Severity);
        Assert.Contains("waf.example.test has TTL 300 s", Cache(rotated, "partner").Message, StringComparison.Ordinal);
        Assert.Equal(Cache(first, "notifications").Fingerprint, pulled.Fingerprint);

        // What was posted is metrics.influx, point for point, and reads back by tag.
        var lines = File.ReadAllLines(Path.Combine(_scratch, "out", "metrics.influx"));
        output.WriteLine(string.Join("\n", lines));
        var rows = await influx.SelectAsync("SELECT * FROM /^reconciler_/", "reconciler");
        Assert.Equal(lines.Length, rows.Count);
        var findings = await influx.SelectAsync("SELECT \"count\" FROM reconciler_findings WHERE kind = 'dns-cache-too-long' GROUP BY severity", "reconciler");
        Assert.Equal([1, 1], findings.Select(r => r["count"].GetInt64()));
        var probe = Assert.Single(await influx.SelectAsync("SELECT * FROM reconciler_probe", "reconciler"));
        output.WriteLine(JsonSerializer.Serialize(probe));
        Assert.Equal(("partner", "127.0.0.2", "waf.example.test", 200, true), (probe["dependency"].GetString(), probe["address"].GetString(), probe["host"].GetString(), probe["status"].GetInt64(), probe["up"].GetBoolean()));
        Assert.Equal($"http://waf.example.test:{port}/api", probe["url"].GetString());
        Assert.True(probe["latency_ms"].GetDouble() > 0);
        Assert.Equal(Start.AddHours(6).ToUnixTimeMilliseconds() * 1_000_000, probe["time"].GetInt64());
        var pool = Assert.Single(await influx.SelectAsync("SELECT * FROM reconciler_dns_host WHERE host = 'cachepool.example.test'", "reconciler"));
        Assert.Equal((true, 2, 60), (pool["resolved"].GetBoolean(), pool["addresses"].GetInt64(), pool["ttl_max"].GetInt64()));

        // metrics.prom carries the probe in the blackbox exporter's shape, and Prometheus' own linter passes it.
        var prom = Path.Combine(_scratch, "out", "metrics.prom");
        var text = await File.ReadAllTextAsync(prom);
        Assert.Contains($"reconciler_probe_up{{dependency=\"partner\",url=\"http://waf.example.test:{port}/api\",address=\"127.0.0.2\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains($"reconciler_probe_http_status_code{{dependency=\"partner\",url=\"http://waf.example.test:{port}/api\",address=\"127.0.0.2\"}} 200", text, StringComparison.Ordinal);
        Assert.Matches(@"reconciler_probe_duration_seconds\{[^}]+\} 0\.\d+", text);
        Assert.Equal("", await Promtool.CheckMetricsAsync(text));
    }
}
