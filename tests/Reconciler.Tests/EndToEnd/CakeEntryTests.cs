using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary>
/// The two commands of the README, for real: <c>dotnet cake</c> builds the library, runs the task graph and
/// ends with the exit codes of README "Arguments". One class, so these processes never race for Cake's script cache; in the DNS
/// servers' collection, so that Plan asks Knot on loopback and never the system's resolver.
/// </summary>
[Collection(DnsServersGroup.Name)]
public sealed class CakeEntryTests(DnsServersFixture servers) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-e2e-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>A replay with nothing observed: for runs that must not ask the network at all.</summary>
    private static readonly string NoObservations = Reconciler.Observe.ObservationSet.Empty(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero)).ToJson();

    private string Policies(string name, string yaml)
    {
        var dir = Path.Combine(_scratch, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "p.yaml"), yaml);
        return dir;
    }

    [Fact]
    public async Task Validate_accepts_the_example_policies()
    {
        var run = await CakeProcess.RunAsync("--target=Validate");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("5 policy files valid", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_prints_every_error_as_file_line_col_and_exits_2()
    {
        var dir = Policies("bad", "dependencies:\n  - name: partner-api\n    hots: [api.partner.example]\n    ports: [70000]\n");

        var run = await CakeProcess.RunAsync("--target=Validate", "--policies=" + dir);

        Assert.True(run.ExitCode == 2, run.Output);
        var file = Path.Combine(dir, "p.yaml");
        Assert.Contains($"{file}:2:5: dependency 'partner-api' is missing required key 'hosts'", run.Output, StringComparison.Ordinal);
        Assert.Contains($"{file}:3:5: unknown key 'hots' in dependency 'partner-api'; did you mean 'hosts'?", run.Output, StringComparison.Ordinal);
        Assert.Contains($"{file}:4:13: 'ports' must be from 1 to 65535, not 70000", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_writes_both_reports_and_fails_on_findings_at_or_above_fail_on()
    {
        var dir = Policies("broad", "dependencies:\n  - name: a\n    hosts: [a.example]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: a\n        destinations: [0.0.0.0/0]\n");
        var output = Path.Combine(_scratch, "out");

        var replay = Path.Combine(_scratch, "no-observations.json");
        File.WriteAllText(replay, NoObservations);

        var run = await CakeProcess.RunAsync("--policies=" + dir, "--out=" + output, "--now=2026-11-23T06:00:00Z", "--observations=" + replay);

        Assert.True(run.ExitCode == 1, run.Output);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        Assert.Equal("over-broad-rule", report.RootElement.GetProperty("findings")[0].GetProperty("kind").GetString());
        Assert.Equal("2026-11-23T06:00:00+00:00", report.RootElement.GetProperty("run").GetProperty("now").GetString());
        Assert.StartsWith("# Reconciler Plan: 1 finding (1 critical)", File.ReadAllText(Path.Combine(output, "report.md")), StringComparison.Ordinal);

        var lenient = await CakeProcess.RunAsync("--policies=" + dir, "--out=" + output, "--fail-on=critical", "--target=Validate");
        Assert.True(lenient.ExitCode == 0, lenient.Output);
    }

    [Fact]
    public async Task Plan_against_a_real_server_finds_the_missing_address_and_writes_the_would_be_pull_request()
    {
        var dir = Policies("dns", "dependencies:\n  - name: www\n    hosts: [www.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: www\n        destinations: [192.0.2.99]\n");
        var output = Path.Combine(_scratch, "dns-out");

        var run = await CakeProcess.RunAsync("--policies=" + dir, "--out=" + output, "--nameservers=" + servers.Knot.V4, "--state=" + Path.Combine(_scratch, "state.json"));

        Assert.True(run.ExitCode == 1, run.Output);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        Assert.Equal(["missing-ip 192.0.2.10", "missing-ip 2001:db8::10"], report.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("kind").GetString()} {f.GetProperty("subject").GetString()}").Order());
        var diff = File.ReadAllText(Path.Combine(output, "plan", "pull-requests", "egress--www.diff"));
        Assert.Contains("+        destinations: [192.0.2.99, 192.0.2.10, \"2001:db8::10\"]", diff, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_scratch, "state.json")));
        Assert.Contains("reconciler_findings{kind=\"missing-ip\",severity=\"high\"} 2", File.ReadAllText(Path.Combine(output, "metrics.prom")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "observations.json")));
    }

    [Fact]
    public async Task Plan_against_a_real_server_finds_each_kind_and_a_steady_world_exits_0()
    {
        var dir = Policies("kinds", """
            dependencies:
              - name: www
                hosts: [www.example.test]
              - name: gone
                hosts: [nx.example.test]
              - name: partner
                hosts: [api.other.test]
                track: static
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: www
                    destinations: [192.0.2.10, 192.0.2.77]
                  - dependency: gone
                    destinations: [10.0.0.0/8]
                  - dependency: partner
                    destinations: [198.51.100.8]
            settings:
              stale_after: 14d
            """);
        // Reconciler has watched www resolve every day for 60 days, up to yesterday, one address an answer;
        // 192.0.2.77 was last seen 30 days ago and 192.0.2.10 in every answer since: 30 answers of 1 that missed .77
        // (README "Rotating pools": a pool of at least 2 would have shown a still-served .77 with probability 1 - 2^-30).
        var state = Path.Combine(_scratch, "kinds-state.json");
        File.WriteAllText(state, """
            {"schemaVersion":3,"hosts":{"www.example.test":{"observedSince":"2026-09-24T06:00:00+00:00",
              "proven":[{"from":"2026-09-24T06:00:00+00:00","to":"2026-11-22T06:00:00+00:00"}],
              "ipv4":{"answers":60,"smallest":1,"largest":1,"sinceNew":30},"addresses":{
              "192.0.2.77":{"firstSeen":"2026-09-24T06:00:00+00:00","lastSeen":"2026-10-24T06:00:00+00:00","missed":30},
              "192.0.2.10":{"firstSeen":"2026-10-24T06:00:00+00:00","lastSeen":"2026-11-22T06:00:00+00:00"}}}}}
            """);
        var output = Path.Combine(_scratch, "kinds-out");

        var run = await CakeProcess.RunAsync("--policies=" + dir, "--out=" + output, "--state=" + state, "--now=2026-11-23T06:00:00Z", "--nameservers=" + servers.Knot.V4);

        Assert.True(run.ExitCode == 1, run.Output);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        Assert.Equal(
            ["missing-ip 2001:db8::10", "over-broad-rule 10.0.0.0/8", "resolution-failed nx.example.test", "stale-ip 192.0.2.77", "static-ip-changed 198.51.100.7", "static-ip-changed 2001:db8:1::7"],
            report.RootElement.GetProperty("findings").EnumerateArray().Select(f => $"{f.GetProperty("kind").GetString()} {f.GetProperty("subject").GetString()}").Order());

        var steady = Policies("steady", "dependencies:\n  - name: www\n    hosts: [www.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: www\n        destinations: [192.0.2.10, \"2001:db8::10\"]\n");
        var quiet = await CakeProcess.RunAsync("--policies=" + steady, "--out=" + Path.Combine(_scratch, "steady-out"), "--state=" + Path.Combine(_scratch, "steady.json"), "--nameservers=" + servers.Knot.V4);
        Assert.True(quiet.ExitCode == 0, quiet.Output);
        Assert.StartsWith("# Reconciler Plan: no drift", File.ReadAllText(Path.Combine(_scratch, "steady-out", "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_writes_an_nftables_allowlist_that_nft_loads_and_plan_reads_its_host_back()
    {
        var policies = Policies("nft", Reconciler.Tests.Render.NftablesRenderTests.Policy);
        var output = Path.Combine(_scratch, "nft-out");

        var render = await CakeProcess.RunAsync("--target=Render", "--policies=" + policies, "--out=" + output);

        Assert.True(render.ExitCode == 0, render.Output);
        var file = Path.Combine(output, "rendered", "nftables", "egress.nft");
        Assert.Equal(["nftables/egress.nft"], Directory.GetFiles(Path.Combine(output, "rendered"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(output, "rendered"), f)));
        var listed = await Reconciler.Tests.Render.NftablesRenderTests.NftAsync("nft -f FILE && nft list ruleset", File.ReadAllText(file));
        Assert.True(listed.ExitCode == 0, listed.Output);

        // host1 runs the rendering with one element more: live drift names it.
        var live = Path.Combine(_scratch, "nft-live");
        Directory.CreateDirectory(live);
        File.WriteAllText(Path.Combine(live, "host1.nft"), listed.Output.Replace("198.51.100.0/24", "198.51.100.0/24, 203.0.113.9", StringComparison.Ordinal));
        var replay = Path.Combine(_scratch, "nft-observations.json");
        File.WriteAllText(replay, NoObservations);
        var plan = await CakeProcess.RunAsync("--policies=" + policies, "--live=" + live, "--observations=" + replay, "--out=" + output, "--state=" + Path.Combine(_scratch, "nft-state.json"));

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var drift = report.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "live-rule-drift").ToList();
        Assert.True(drift.Count == 1, plan.Output);
        Assert.Contains("still admits 203.0.113.9", drift[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_writes_every_allowlist_and_plan_reports_a_host_whose_live_rules_lack_an_address()
    {
        var output = Path.Combine(_scratch, "render-out");

        var render = await CakeProcess.RunAsync("--target=Render", "--out=" + output);

        Assert.True(render.ExitCode == 0, render.Output);
        var rendered = Path.Combine(output, "rendered");
        Assert.Equal(
            ["iptables/payments-egress.ipset", "iptables/payments-egress.v4", "iptables/payments-egress.v6", "squid/squid-main.conf"],
            Directory.GetFiles(rendered, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(rendered, f)).Order(StringComparer.Ordinal));

        // frpay1001 runs the rendering but lost 104.18.21.5; frpay1002 sent no dump.
        var live = Path.Combine(_scratch, "live");
        Directory.CreateDirectory(live);
        // The rendered chain, hooked into OUTPUT as the README's deploy steps do.
        File.WriteAllText(Path.Combine(live, "frpay1001.iptables"), "*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j rcn-payments-egress\nCOMMIT\n" + File.ReadAllText(Path.Combine(rendered, "iptables", "payments-egress.v4")));
        File.WriteAllLines(Path.Combine(live, "frpay1001.ipset"), File.ReadAllLines(Path.Combine(rendered, "iptables", "payments-egress.ipset")).Where(l => !l.Contains("104.18.21.5", StringComparison.Ordinal)));
        File.Copy(Path.Combine(rendered, "squid", "squid-main.conf"), Path.Combine(live, "proxy1001.squid"));
        var replay = Path.Combine(_scratch, "empty-observations.json");
        File.WriteAllText(replay, NoObservations);

        var plan = await CakeProcess.RunAsync("--live=" + live, "--observations=" + replay, "--out=" + output, "--state=" + Path.Combine(_scratch, "live-state.json"));

        Assert.True(plan.ExitCode == 1, plan.Output);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var drift = report.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "live-rule-drift").ToList();
        Assert.Equal("frpay1001 gmc-api", string.Join(";", drift.Select(f => $"{f.GetProperty("host").GetString()} {f.GetProperty("dependency").GetString()}")));
        Assert.Contains("104.18.21.5", drift[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(report.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetString() == "live rules of frpay1002 (payments-egress) not checked: no dump for it in --live");
    }

    [Fact]
    public async Task Plan_probes_each_address_and_the_egress_as_partners_see_us()
    {
        var port = ExternalTool.FreePort();
        await using var waf = await PartnerServers.StartAsync(System.Net.IPAddress.Parse("127.0.0.2"), port, PartnerServers.BlocksJavaClients);
        await using var tls = await PartnerServers.StartAsync(System.Net.IPAddress.Parse("127.0.0.3"), port, c => c.Response.WriteAsync("ok"), PartnerServers.SelfSigned("tls.example.test"));
        await using var echo = await PartnerServers.StartAsync(System.Net.IPAddress.Parse("127.0.0.4"), port, c => c.Response.WriteAsync("198.51.100.77"));
        var dir = Policies("outbound", $"""
            dependencies:
              - name: gmc-api
                hosts: [waf.example.test]
                identity: legacy
                probe: {"{"} url: "http://waf.example.test:{port}/GMCWebServices/", expect_status: [200] {"}"}
              - name: portal
                hosts: [tls.example.test]
                identity: legacy
                probe: {"{"} url: "https://tls.example.test:{port}/" {"}"}
            identities:
              - name: legacy
                user_agent: "Java/1.8.0_292"
                egress_ips: [203.0.113.10]
            settings:
              egress_echo: http://127.0.0.4:{port}/
            """);
        var output = Path.Combine(_scratch, "outbound-out");

        var run = await CakeProcess.RunAsync("--policies=" + dir, "--out=" + output, "--state=" + Path.Combine(_scratch, "outbound.json"), "--nameservers=" + servers.Knot.V4);

        Assert.True(run.ExitCode == 1, run.Output);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var findings = report.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("kind").GetString()} {f.GetProperty("dependency").GetString()} {f.GetProperty("subject").GetString()}").Order().ToList();
        Assert.Equal(["egress-ip-drift legacy 198.51.100.77", "probe-blocked gmc-api 127.0.0.2", "probe-failed portal 127.0.0.3", "user-agent-risk gmc-api Java/1.8.0_292", "user-agent-risk portal Java/1.8.0_292"], findings);
        var messages = string.Join("\n", report.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("message").GetString()));
        Assert.Contains("the user agent \"Java/1.8.0_292\" is the cause", messages, StringComparison.Ordinal);
        Assert.Contains("self-signed; untrusted", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_shards_cover_the_estate_once_and_merge_into_one_report()
    {
        var dir = Policies("shards", "dependencies:\n" + string.Concat(Enumerable.Range(1, 6).Select(i => $"  - name: d{i}\n    hosts: [d{i}.example.test]\n")) +
            "allowlists:\n  - name: egress\n    kind: iptables\n    rules:\n" + string.Concat(Enumerable.Range(1, 6).Select(i => $"      - dependency: d{i}\n        destinations: [10.0.0.0/8]\n")));
        var output = Path.Combine(_scratch, "sharded");
        var replay = Path.Combine(_scratch, "shard-observations.json");
        File.WriteAllText(replay, NoObservations);

        foreach (var shard in new[] { 1, 2 })
        {
            var run = await CakeProcess.RunAsync("--policies=" + dir, $"--shard={shard}/2", "--out=" + Path.Combine(output, $"shard-{shard}"), "--observations=" + replay, "--fail-on=critical");
            Assert.True(run.ExitCode == 0, run.Output);
        }
        var merge = await CakeProcess.RunAsync("--target=Merge", "--out=" + output);

        Assert.True(merge.ExitCode == 0, merge.Output);   // six medium findings, below the default --fail-on=high
        string[] Dependencies(string file)
        {
            using var report = JsonDocument.Parse(File.ReadAllText(file));
            return [.. report.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("dependency").GetString()!).Order(StringComparer.Ordinal)];
        }
        var first = Dependencies(Path.Combine(output, "shard-1", "report.json"));
        var second = Dependencies(Path.Combine(output, "shard-2", "report.json"));
        Assert.Empty(first.Intersect(second));
        Assert.NotEmpty(first);
        Assert.NotEmpty(second);
        Assert.Equal(["d1", "d2", "d3", "d4", "d5", "d6"], Dependencies(Path.Combine(output, "report.json")));
    }

    [Fact]
    public async Task Bad_arguments_exit_2_with_a_reason()
    {
        var badTarget = await CakeProcess.RunAsync("--target=Deploy");
        var badFailOn = await CakeProcess.RunAsync("--fail-on=urgent", "--nameservers=127.0.0.1:9");
        var badBase = await CakeProcess.RunAsync("--target=Review", "--base=no-such-ref", "--nameservers=127.0.0.1:9");

        Assert.Equal((2, 2, 2), (badTarget.ExitCode, badFailOn.ExitCode, badBase.ExitCode));
        Assert.Contains("argument --target: 'Deploy' is not a target", badTarget.Output, StringComparison.Ordinal);
        Assert.Contains("argument --fail-on: 'urgent' is not a severity", badFailOn.Output, StringComparison.Ordinal);
        Assert.Contains("argument --base: 'no-such-ref' is not a commit", badBase.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_task_graph_is_shown_by_tree()
    {
        var run = await CakeProcess.RunAsync("--tree");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Reconcile\n├─ConnectGitHub\n└─Plan\n   └─Validate", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
