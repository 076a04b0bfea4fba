using System.Text.Json;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary>
/// <c>dotnet cake --influx=URL</c> with <c>INFLUX_TOKEN</c> against a real InfluxDB 1.x with authentication on: the
/// metrics arrive with the right credentials; with wrong ones the run says so in its log and notes, keeps its exit
/// code, and the token appears nowhere.
/// </summary>
public sealed class InfluxEntryTests : IDisposable
{
    private const string Admin = "reconciler:s3cret-right";
    private const string WrongToken = "reconciler:wr0ng-secret-value";
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-influx-e2e-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Metrics_are_posted_with_the_token_from_the_environment_and_a_refused_post_changes_no_exit_code()
    {
        var policies = Path.Combine(_scratch, "policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "p.yaml"), "dependencies:\n  - name: a\n    hosts: [a.example]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: a\n        destinations: [0.0.0.0/0]\n");
        var replay = Path.Combine(_scratch, "observations.json");
        await File.WriteAllTextAsync(replay, Reconciler.Observe.ObservationSet.Empty(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero)).ToJson());
        await using var influx = await InfluxServer.StartAsync(Admin);
        await influx.QueryAsync("CREATE DATABASE egress", database: null, credentials: Admin);
        string[] Arguments(string output) => ["--policies=" + policies, "--out=" + Path.Combine(_scratch, output), "--observations=" + replay, "--now=2026-11-23T06:00:00Z", "--influx=" + influx.WriteUrl("egress")];

        var posted = await CakeProcess.RunAsync(new Dictionary<string, string> { ["INFLUX_TOKEN"] = Admin }, Arguments("posted"));
        var refused = await CakeProcess.RunAsync(new Dictionary<string, string> { ["INFLUX_TOKEN"] = WrongToken }, Arguments("refused"));

        Assert.True(posted.ExitCode == 1, posted.Output);
        Assert.Contains("posted 2 points of metrics.influx to " + influx.WriteUrl("egress"), posted.Output, StringComparison.Ordinal);
        var rows = await influx.SelectAsync("SELECT * FROM /^reconciler_/", "egress", Admin);
        Assert.Equal(File.ReadAllLines(Path.Combine(_scratch, "posted", "metrics.influx")).Length, rows.Count);
        Assert.Contains(rows, r => r.TryGetValue("kind", out var kind) && kind.GetString() == "over-broad-rule");

        Assert.True(refused.ExitCode == 1, refused.Output);
        var note = $"metrics were not posted to InfluxDB at {influx.WriteUrl("egress")}: InfluxDB answered 401 Unauthorized";
        Assert.Contains(note, refused.Output, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_scratch, "refused", "report.json")));
        Assert.Contains(report.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetString()!.StartsWith(note, StringComparison.Ordinal));
        foreach (var secret in new[] { "wr0ng-secret-value", "s3cret-right" })
        {
            Assert.DoesNotContain(secret, posted.Output + refused.Output, StringComparison.Ordinal);
            Assert.All(Directory.GetFiles(_scratch, "*", SearchOption.AllDirectories), f => Assert.DoesNotContain(secret, File.ReadAllText(f), StringComparison.Ordinal));
        }
    }
}
