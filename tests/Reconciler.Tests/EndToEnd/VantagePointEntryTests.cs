using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary>
/// Where a run looks from, from the command line: a run that no server answered fails and writes no issue; a server
/// that answers SERVFAIL is still a vantage point; on a GitHub-hosted runner, egress findings are notes.
/// </summary>
[Collection(DnsServersGroup.Name)]
public sealed class VantagePointEntryTests(DnsServersFixture servers) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-vantage-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string Policies(string name, string yaml)
    {
        var dir = Path.Combine(_scratch, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "p.yaml"), yaml);
        return dir;
    }

    private const string TwoDependencies = """
        dependencies:
          - name: api
            hosts: [api.partner.test]
          - name: www
            hosts: [www.partner.test]
        allowlists:
          - name: egress
            kind: iptables
            rules:
              - dependency: api
                destinations: [192.0.2.10]
              - dependency: www
                destinations: [192.0.2.11]
        """;

    [Fact]
    public async Task A_run_that_no_server_answered_exits_3_naming_the_servers_and_writes_no_issue()
    {
        var (first, second) = (ExternalTool.FreePort(), ExternalTool.FreePort());   // nothing listens on either
        var dir = Policies("dead", TwoDependencies);
        var output = Path.Combine(_scratch, "dead-out");
        var state = Path.Combine(_scratch, "dead-state.json");

        var run = await CakeProcess.RunAsync("--policies=" + dir, "--out=" + output, "--state=" + state, $"--nameservers=127.0.0.1:{first},127.0.0.1:{second}");

        Assert.True(run.ExitCode == 3, run.Output);
        Assert.Contains($"no name server answered: 127.0.0.1:{first}, 127.0.0.1:{second} (every query timed out or was refused by the network)", run.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(output, "plan")), "a run that saw nothing wrote would-be issues");
        Assert.False(File.Exists(Path.Combine(output, "report.json")));
        Assert.False(File.Exists(state), "a run that saw nothing changed the memory");
    }

    [Fact]
    public async Task A_server_that_answers_servfail_is_a_working_vantage_point_and_its_answers_are_findings()
    {
        await using var servfail = new ScriptedDnsServer(async (s, q, from) =>
        {
            var reply = Replies.Answer(q);
            reply[3] = 2;   // SERVFAIL
            await s.Reply(reply, from);
        });
        var dir = Policies("servfail", TwoDependencies);
        var output = Path.Combine(_scratch, "servfail-out");

        var run = await CakeProcess.RunAsync("--policies=" + dir, "--out=" + output, "--state=" + Path.Combine(_scratch, "servfail.json"), $"--nameservers={servfail.Endpoint}");

        Assert.True(run.ExitCode == 0, run.Output);   // resolution-failed is medium, below --fail-on=high
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        Assert.Equal(["resolution-failed api", "resolution-failed www"], report.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("kind").GetString()} {f.GetProperty("dependency").GetString()}").Order(StringComparer.Ordinal));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(output, "plan", "issues")).Length);
    }

    [Fact]
    public async Task On_a_github_hosted_runner_the_egress_finding_is_a_note_not_an_issue()
    {
        var port = ExternalTool.FreePort();
        await using var echo = await PartnerServers.StartAsync(System.Net.IPAddress.Parse("127.0.0.4"), port, c => c.Response.WriteAsync("198.51.100.77"));
        var dir = Policies("hosted", $"""
            dependencies:
              - name: www
                hosts: [www.example.test]
                identity: app
            identities:
              - name: app
                user_agent: "app/1.0 (+https://example.org/contact)"
                egress_ips: [203.0.113.10]
            settings:
              egress_echo: http://127.0.0.4:{port}/
            """);
        var output = Path.Combine(_scratch, "hosted-out");

        var run = await CakeProcess.RunAsync(new Dictionary<string, string> { ["RUNNER_ENVIRONMENT"] = "github-hosted" },
            "--policies=" + dir, "--out=" + output, "--state=" + Path.Combine(_scratch, "hosted.json"), "--nameservers=" + servers.Knot.V4);

        Assert.True(run.ExitCode == 0, run.Output);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        Assert.DoesNotContain(report.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("kind").GetString() == "egress-ip-drift");
        // The positive control: the echo was asked and told us where the runner leaves from; it is reported as a note.
        Assert.Contains(report.RootElement.GetProperty("notes").EnumerateArray(), n =>
            n.GetString()!.StartsWith("on a GitHub-hosted runner, not an issue (it describes the runner, not the estate): egress-ip-drift app 198.51.100.77", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(output, "plan", "issues")) && Directory.GetFiles(Path.Combine(output, "plan", "issues")).Length > 0);
    }
}
