using System.Net.Sockets;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Tests.Engine;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Observe;

/// <summary>Probes against partners on loopback: WAFs that refuse, servers that reset or stall, bad certificates, a proxy.</summary>
public sealed class ProbeTests : IAsyncDisposable
{
    private static readonly IPAddress A = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress B = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress C = IPAddress.Parse("127.0.0.4");
    private readonly List<WebApplication> _apps = [];
    private readonly List<TcpListener> _raw = [];
    private readonly List<TcpClient> _held = [];
    private readonly int _port = ExternalTool.FreePort();

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
            await app.DisposeAsync();
        _raw.ForEach(r => r.Stop());
        _held.ForEach(c => c.Dispose());
    }

    private async Task Serve(IPAddress address, RequestDelegate handler, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null) =>
        _apps.Add(await PartnerServers.StartAsync(address, _port, handler, certificate));

    private static OutboundObserver Observer() =>
        new(new HttpProber(new ProbeTimeouts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))), (_, _) => throw new InvalidOperationException("no DNS in these tests"));

    private async Task<ObserverResult> ProbeAsync(string userAgent, string scheme, params IPAddress[] addresses)
    {
        var policies = DriftEngineTests.Parse($"""
            dependencies:
              - name: partner
                hosts: [partner.example.test]
                identity: sync
                probe:
                  url: {scheme}://partner.example.test:{_port}/api
                  expect_status: [200]
            identities:
              - name: sync
                user_agent: "{userAgent}"
            """);
        var observations = DriftEngineTests.Observations([$"partner.example.test A Answer {string.Join(",", addresses.Select(a => a.ToString()))}"]);
        return await Observer().ProbeAsync(policies, observations);
    }

    [Fact]
    public async Task A_java_client_refused_by_cloudflare_is_blocked_and_the_user_agent_named_as_the_cause()
    {
        await Serve(A, PartnerServers.BlocksJavaClients);

        var finding = Assert.Single((await ProbeAsync("Java/1.8.0_292", "http", A)).Findings);

        Assert.Equal((FindingKind.ProbeBlocked, Severity.High, "127.0.0.2"), (finding.Kind, finding.Severity, finding.Subject));
        Assert.Equal($"http://partner.example.test:{_port}/api at 127.0.0.2 was refused by Cloudflare (403). Re-probed with a neutral user agent, it answered 200: the user agent \"Java/1.8.0_292\" is the cause.", finding.Message);
        Assert.Equal("status 403; server cloudflare; cf-ray 8c1e2f3a4b5c6d7e-LHR; body: error code: 1020", finding.Evidence[0].Detail);
        Assert.Equal("Java/1.8.0_292", finding.Evidence[0].Source);
    }

    [Fact]
    public async Task One_bad_backend_of_three_is_found_because_each_address_is_probed()
    {
        await Serve(A, PartnerServers.BlocksJavaClients);
        await Serve(B, PartnerServers.BlocksJavaClients);
        await Serve(C, PartnerServers.CloudflareBlock);   // refuses everyone: our egress address, say

        var finding = Assert.Single((await ProbeAsync("partner-sync/1.0 (+https://example.org)", "http", A, B, C)).Findings);

        Assert.Equal((FindingKind.ProbeBlocked, "127.0.0.4"), (finding.Kind, finding.Subject));
        Assert.EndsWith("it was refused too: the cause is not the user agent (our egress address, or the WAF's rules).", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reset_a_stall_and_an_unexpected_status_are_failures_that_say_which()
    {
        _raw.Add(PartnerServers.Resetting(A, _port));
        _raw.Add(PartnerServers.Stalling(B, _port, _held));
        await Serve(C, context => { context.Response.StatusCode = 500; return Task.CompletedTask; });

        var findings = (await ProbeAsync("partner-sync/1.0 (+https://example.org)", "http", A, B, C)).Findings.OrderBy(f => f.Subject, StringComparer.Ordinal).ToList();

        Assert.Equal(
            [$"ProbeFailed High http://partner.example.test:{_port}/api at 127.0.0.2 failed: connection reset by the server.",
             $"ProbeFailed High http://partner.example.test:{_port}/api at 127.0.0.3 failed: no response within 2 s.",
             $"ProbeFailed Medium http://partner.example.test:{_port}/api at 127.0.0.4 answered 500, not one of 200."],
            findings.Select(f => $"{f.Kind} {f.Severity} {f.Message}"));
    }

    [Fact]
    public async Task Without_expect_status_any_2xx_or_3xx_is_an_answer_and_the_message_says_so()
    {
        await Serve(A, context => { context.Response.StatusCode = 302; return Task.CompletedTask; });
        await Serve(B, context => { context.Response.StatusCode = 404; return Task.CompletedTask; });
        var policies = DriftEngineTests.Parse($"dependencies:\n  - name: partner\n    hosts: [partner.example.test]\n    probe: {{ url: \"http://partner.example.test:{_port}/\" }}\n");

        var findings = (await Observer().ProbeAsync(policies, DriftEngineTests.Observations(["partner.example.test A Answer 127.0.0.2,127.0.0.3"]))).Findings;

        var finding = Assert.Single(findings);
        Assert.Equal($"http://partner.example.test:{_port}/ at 127.0.0.3 answered 404, not 2xx or 3xx.", finding.Message);
    }

    [Fact]
    public async Task Tls_failures_are_named_untrusted_wrong_name_or_expired()
    {
        await Serve(A, c => c.Response.WriteAsync("ok"), PartnerServers.SelfSigned("partner.example.test"));
        await Serve(B, c => c.Response.WriteAsync("ok"), PartnerServers.SelfSigned("elsewhere.example.test"));
        await Serve(C, c => c.Response.WriteAsync("ok"), PartnerServers.SelfSigned("partner.example.test", fromDays: -60, toDays: -1));

        var reasons = (await ProbeAsync("partner-sync/1.0 (+https://example.org)", "https", A, B, C)).Findings.OrderBy(f => f.Subject, StringComparer.Ordinal).Select(f => f.Message).ToList();

        Assert.Equal(3, reasons.Count);
        Assert.EndsWith("self-signed; untrusted).", reasons[0], StringComparison.Ordinal);
        Assert.EndsWith("the certificate is for elsewhere.example.test, not partner.example.test (wrong name).", reasons[1], StringComparison.Ordinal);
        Assert.Contains("(expired)", reasons[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_go_through_the_identitys_proxy_when_it_has_one()
    {
        await Serve(A, PartnerServers.BlocksJavaClients);
        await Serve(B, c => c.Response.WriteAsync("ok"), PartnerServers.SelfSigned("partner.example.test"));
        await using var squid = await SquidServer.StartAsync("acl partners dst -n 127.0.0.0/8\nhttp_access allow partners\n", direct: true);
        var policies = DriftEngineTests.Parse($"""
            dependencies:
              - name: plain
                hosts: [partner.example.test]
                identity: sync
                probe: {"{"} url: "http://partner.example.test:{_port}/api", expect_status: [200] {"}"}
              - name: secure
                hosts: [secure.example.test]
                identity: sync
                probe: {"{"} url: "https://secure.example.test:{_port}/api" {"}"}
            identities:
              - name: sync
                user_agent: "Java/1.8.0_292"
                proxy: squid
            allowlists:
              - name: squid
                kind: proxy
                url: http://127.0.0.1:{squid.Port}
            """);
        var observations = DriftEngineTests.Observations(["partner.example.test A Answer 127.0.0.2", "secure.example.test A Answer 127.0.0.3"]);

        var findings = (await Observer().ProbeAsync(policies, observations)).Findings.OrderBy(f => f.Dependency, StringComparer.Ordinal).ToList();

        Assert.Equal([FindingKind.ProbeBlocked, FindingKind.ProbeFailed], findings.Select(f => f.Kind));
        Assert.Contains("the certificate is for partner.example.test, not secure.example.test (wrong name)", findings[1].Message, StringComparison.Ordinal);
        // Squid writes a tunnel's line when the tunnel closes, a moment after the probe is done: wait for it.
        var log = "";
        for (var i = 0; i < 100 && !(log.Contains("CONNECT ", StringComparison.Ordinal) && log.Contains("http://127.0.0.2", StringComparison.Ordinal)); i++)
        {
            log = await File.ReadAllTextAsync(Path.Combine(squid.Directory, "access.log"));
            await Task.Delay(50);
        }
        Assert.Contains($"http://127.0.0.2:{_port}/api", log, StringComparison.Ordinal);   // plain HTTP, by address, through squid
        Assert.Contains($"CONNECT 127.0.0.3:{_port}", log, StringComparison.Ordinal);      // HTTPS tunnelled to the address
    }

    [Fact]
    public async Task An_egress_address_outside_egress_ips_is_drift_and_a_failed_discovery_is_only_a_note()
    {
        await Serve(A, c => c.Response.WriteAsync("203.0.113.99\n"));
        string Policy(string ips, string echo) => $"identities:\n  - name: sync\n    egress_ips: [{ips}]\nsettings:\n  egress_echo: {echo}\n";

        var drift = await Observer().DiscoverEgressAsync(DriftEngineTests.Parse(Policy("203.0.113.10", $"http://127.0.0.2:{_port}/")));
        var steady = await Observer().DiscoverEgressAsync(DriftEngineTests.Parse(Policy("203.0.113.10, 203.0.113.99", $"http://127.0.0.2:{_port}/")));
        var broken = await Observer().DiscoverEgressAsync(DriftEngineTests.Parse(Policy("203.0.113.10", $"http://127.0.0.3:{_port}/")));

        var finding = Assert.Single(drift.Findings);
        Assert.Equal((FindingKind.EgressIpDrift, "sync", "203.0.113.99"), (finding.Kind, finding.Dependency, finding.Subject));
        Assert.Empty(steady.Findings);
        Assert.Empty(broken.Findings);
        Assert.Equal($"egress of sync not checked: http://127.0.0.3:{_port}/ answered connection refused", Assert.Single(broken.Notes));
    }
}
