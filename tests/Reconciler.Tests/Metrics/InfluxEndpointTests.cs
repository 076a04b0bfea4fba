using System.Net;
using Microsoft.AspNetCore.Http;
using Reconciler.Diagnostics;
using Reconciler.Observe;
using Reconciler.Reports;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Metrics;

/// <summary>
/// <c>--influx</c>: which URLs it takes, and what a post sends. Debian ships InfluxDB 1.6, which has no 2.x API, so
/// the 2.x write is checked against a loopback server that holds the request to 2.x's documented contract
/// (POST /api/v2/write?org=&amp;bucket=, <c>Authorization: Token …</c>, line protocol as text/plain, 204).
/// </summary>
public sealed class InfluxEndpointTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-influx-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData("http://127.0.0.1:8086/write?db=egress", false)]
    [InlineData("https://influx.example.org/write?db=egress&rp=weekly&precision=ns", false)]
    [InlineData("http://127.0.0.1:8086/api/v2/write?org=acme&bucket=egress", true)]
    [InlineData("https://eu-central-1-1.aws.cloud2.influxdata.com/api/v2/write?orgID=0123456789abcdef&bucket=egress", true)]
    public void Write_urls_of_both_versions_are_taken(string url, bool v2)
    {
        Assert.True(InfluxEndpoint.TryParse(url, out var endpoint, out var error), error);
        Assert.Equal(v2, endpoint!.V2);
    }

    [Theory]
    [InlineData("influx:8086", "'influx:8086' is not an http:// or https:// URL")]
    [InlineData("http://127.0.0.1:8086/write", "http://127.0.0.1:8086/write: an InfluxDB 1.x write URL names its database: /write?db=DATABASE")]
    [InlineData("http://127.0.0.1:8086/api/v2/write?bucket=egress", "http://127.0.0.1:8086/api/v2/write: an InfluxDB 2.x write URL names its org and bucket: /api/v2/write?org=ORG&bucket=BUCKET")]
    [InlineData("http://127.0.0.1:8086/query?db=egress", "http://127.0.0.1:8086/query: not an InfluxDB write URL; use http://HOST:8086/write?db=DATABASE (1.x) or http://HOST:8086/api/v2/write?org=ORG&bucket=BUCKET (2.x)")]
    [InlineData("http://admin:hunter2@127.0.0.1:8086/write?db=egress", "http://127.0.0.1:8086/write: put the credentials in INFLUX_TOKEN (a token, or user:password for InfluxDB 1.x), not in the URL")]
    [InlineData("http://127.0.0.1:8086/write?db=egress&u=admin&p=hunter2", "http://127.0.0.1:8086/write: put the credentials in INFLUX_TOKEN (a token, or user:password for InfluxDB 1.x), not in the URL")]
    public void Other_urls_are_invalid_arguments_that_never_echo_a_password(string url, string error)
    {
        var thrown = Assert.Throws<ReconcilerException>(() => RunOptions.Parse("Plan", n => n == "influx" ? url : null, _ => null, DateTimeOffset.UnixEpoch));

        Assert.Equal(ExitCodes.InvalidInput, thrown.ExitCode);
        Assert.Contains(error, thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", thrown.Message, StringComparison.Ordinal);
    }

    private sealed record Received(string Method, string Path, string Query, string? Authorization, string? ContentType, string Body);

    private async Task<(Report Report, CollectingLog Log)> PlanAsync(string url, string? token)
    {
        var policies = Path.Combine(_scratch, "policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "p.yaml"), "dependencies:\n  - name: a\n    hosts: [a.example]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: a\n        destinations: [0.0.0.0/0]\n");
        var replay = Path.Combine(_scratch, "observations.json");
        await File.WriteAllTextAsync(replay, ObservationSet.Empty(DateTimeOffset.UnixEpoch).ToJson());
        Assert.True(InfluxEndpoint.TryParse(url, out var endpoint, out var error), error);
        var log = new CollectingLog();
        var run = new ReconcilerRun(new RunOptions
        {
            Target = "Plan",
            Policies = policies,
            Out = Path.Combine(_scratch, "out"),
            State = Path.Combine(_scratch, "state.json"),
            Now = new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero),
            Observations = replay,
            Influx = endpoint,
        }, log);
        run.UseInfluxToken(token);
        var report = (await run.PlanAsync()).Report;
        Assert.Equal(ExitCodes.FindingsAtOrAboveFailOn, run.Exit.Code);
        return (report, log);
    }

    [Fact]
    public async Task A_2x_write_carries_the_token_and_the_lines_of_metrics_influx()
    {
        var port = ExternalTool.FreePort();
        var received = new List<Received>();
        await using var influx = await PartnerServers.StartAsync(IPAddress.Loopback, port, async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            received.Add(new Received(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "", context.Request.Headers.Authorization, context.Request.ContentType, await reader.ReadToEndAsync()));
            context.Response.StatusCode = 204;
        });

        var (report, log) = await PlanAsync($"http://127.0.0.1:{port}/api/v2/write?org=acme&bucket=egress", "v2-token");

        var request = Assert.Single(received);
        Assert.Equal(("POST", "/api/v2/write", "?org=acme&bucket=egress", "Token v2-token", "text/plain; charset=utf-8"), (request.Method, request.Path, request.Query, request.Authorization, request.ContentType));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(_scratch, "out", "metrics.influx")), request.Body);
        Assert.StartsWith("reconciler_run,target=Plan findings=1i,low=0i,medium=0i,high=0i,critical=1i,", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(report.Notes, n => n.Contains("InfluxDB", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.StartsWith("posted 2 points of metrics.influx to http://127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_error_or_nothing_listening_is_a_note_and_the_token_is_never_repeated()
    {
        var port = ExternalTool.FreePort();
        await using var influx = await PartnerServers.StartAsync(IPAddress.Loopback, port, async context =>
        {
            // A server that echoes what it was sent must not make the token leak into our notes.
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync($"{{\"error\":\"engine down; got {context.Request.Headers.Authorization}\"}}");
        });
        var silent = ExternalTool.FreePort();

        var (failed, failedLog) = await PlanAsync($"http://127.0.0.1:{port}/write?db=egress", "echoed-token");
        var (refused, _) = await PlanAsync($"http://127.0.0.1:{silent}/write?db=egress", "echoed-token");

        var note = Assert.Single(failed.Notes, n => n.Contains("InfluxDB", StringComparison.Ordinal));
        Assert.Equal($"metrics were not posted to InfluxDB at http://127.0.0.1:{port}/write?db=egress: InfluxDB answered 500 Internal Server Error: {{\"error\":\"engine down; got Token ***\"}} (they are in metrics.influx)", note);
        Assert.Contains(note, failedLog.Lines);
        Assert.Contains(refused.Notes, n => n.StartsWith($"metrics were not posted to InfluxDB at http://127.0.0.1:{silent}/write?db=egress: Connection refused", StringComparison.Ordinal));
        Assert.DoesNotContain("echoed-token", string.Join("\n", failed.Notes.Concat(refused.Notes).Concat(failedLog.Lines)), StringComparison.Ordinal);
    }
}
