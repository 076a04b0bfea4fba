using System.Net;
using Reconciler.Observe;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Render;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Render;

/// <summary>Rendered squid includes: parsed by squid itself (with no network) and used by a real squid on loopback.</summary>
public sealed class SquidRenderTests
{
    internal const string Policy = """
        dependencies:
          - name: partner
            hosts: [www.example.test]
            ports: [80, 443]
          - name: registry
            hosts: [registry.example.test]
        allowlists:
          - name: proxy
            kind: proxy
            hosts: [proxy1]
            rules:
              - dependency: partner
                domains: [.example.test, www.example.test]
              - dependency: registry
                domains: [registry.example.test]
                destinations: [192.0.2.7, 198.51.100.0/24]
        """;

    private static SquidRendering Render()
    {
        var policies = IptablesRenderTests.Parse(Policy);
        return SquidRenderer.Render(policies, policies.Allowlists[0]);
    }

    [Fact]
    public void A_proxy_allowlist_renders_acls_that_never_make_squid_do_dns()
    {
        Assert.Equal("""
            # Rendered by Reconciler from the policies: proxy allowlist proxy. Do not edit.
            # Include it before the configuration's own `http_access deny all`.
            acl rcn_proxy_partner_ports port 80 443
            acl rcn_proxy_partner_domains dstdomain -n .example.test
            acl rcn_proxy_registry_ports port 443
            acl rcn_proxy_registry_domains dstdomain -n registry.example.test
            acl rcn_proxy_registry_addresses dst -n 192.0.2.7/32 198.51.100.0/24
            # partner: p.yaml:12:9
            http_access allow rcn_proxy_partner_domains rcn_proxy_partner_ports
            # registry: p.yaml:14:9
            http_access allow rcn_proxy_registry_domains rcn_proxy_registry_ports
            http_access allow rcn_proxy_registry_addresses rcn_proxy_registry_ports

            """, Render().Include);
    }

    [Fact]
    public async Task Every_rendered_include_passes_squid_parse_without_network()
    {
        var example = PolicyDirectory.Load(RepoPaths.Policies, displayRoot: RepoPaths.Root).Policies!;
        var includes = example.Allowlists.Where(a => a.Kind == AllowlistKind.Proxy).Select(a => SquidRenderer.Render(example, a).Include).Append(Render().Include);

        foreach (var include in includes)
        {
            var (directory, config) = await SquidServer.PrepareAsync(include, ExternalTool.FreePort(), ExternalTool.FreePort());
            try
            {
                // squid -k parse resolves anything that looks like a host name: no network, no question asked.
                var (exitCode, output) = await ExternalTool.RunWithoutNetworkAsync($"squid -k parse -f {config}");
                Assert.True(exitCode == 0, output);
                Assert.DoesNotContain(output.Split('\n'), l => l.Contains("WARNING", StringComparison.Ordinal) || l.Contains("ERROR", StringComparison.Ordinal));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_real_squid_with_the_include_admits_what_it_names_and_refuses_the_rest()
    {
        await using var squid = await SquidServer.StartAsync(Render().Include);
        using var http = new HttpClient(new HttpClientHandler { Proxy = new WebProxy($"http://127.0.0.1:{squid.Port}"), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(10) };

        async Task<HttpStatusCode> Get(string url) => (await http.GetAsync(new Uri(url))).StatusCode;

        Assert.Equal(HttpStatusCode.OK, await Get("http://www.example.test/"));
        Assert.Equal(HttpStatusCode.OK, await Get("http://api.example.test/"));             // below .example.test
        Assert.Equal(HttpStatusCode.Forbidden, await Get("http://evil.test/"));
        Assert.Equal(HttpStatusCode.Forbidden, await Get("http://www.example.test:8080/")); // a port the dependency does not use
        Assert.Equal(HttpStatusCode.Forbidden, await Get("http://198.51.100.9/"));          // registry's network, but registry uses 443 only
        Assert.Equal("200", await ConnectThroughAsync(squid.Port, "198.51.100.9:443"));     // dst -n: admitted by address
        Assert.Equal("200", await ConnectThroughAsync(squid.Port, "registry.example.test:443"));
        Assert.Equal("403", await ConnectThroughAsync(squid.Port, "evil.test:443"));
    }

    [Fact]
    public void A_proxy_running_an_older_include_is_live_drift()
    {
        var policies = IptablesRenderTests.Parse(Policy);
        var old = Render().Include.Replace("dst -n 192.0.2.7/32 198.51.100.0/24", "dst -n 198.51.100.0/24 203.0.113.1/32", StringComparison.Ordinal);

        var drift = LiveDrift.Compare(policies, new Dictionary<string, string> { ["proxy1.squid"] = old });

        var finding = Assert.Single(drift.Findings);
        Assert.Equal("proxy1 does not admit 192.0.2.7/32 (traffic to it is refused) and still admits 203.0.113.1/32, unlike what proxy renders for registry: deploy the rendered rules to it.", finding.Message);
    }

    /// <summary>The status code squid answers a CONNECT with (the tunnel itself is not used).</summary>
    private static async Task<string> ConnectThroughAsync(int proxyPort, string target)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxyPort);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n"));
        var buffer = new byte[512];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read).Split(' ')[1];
    }
}
