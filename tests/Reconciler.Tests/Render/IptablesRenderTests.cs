using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Render;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Render;

/// <summary>Rendered iptables allowlists, loaded for real in scratch network namespaces.</summary>
public sealed class IptablesRenderTests
{
    internal const string Policy = """
        dependencies:
          - name: api
            hosts: [api.example.test]
            ports: [443, 8443]
          - name: partner
            hosts: [partner.example.test]
        allowlists:
          - name: egress
            kind: iptables
            hosts: [host1, host2]
            rules:
              - dependency: api
                destinations: [192.0.2.10, "2001:db8::10"]
              - dependency: api
                ports: [80]
                destinations: [192.0.2.20]
              - dependency: partner
                destinations: [198.51.100.0/24, 192.0.2.30]
        """;

    internal static PolicySet Parse(string yaml)
    {
        var result = PolicyParser.Parse([new PolicySource("p.yaml", yaml)]);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Policies!;
    }

    private static IptablesRendering Render(string yaml = Policy)
    {
        var policies = Parse(yaml);
        return IptablesRenderer.Render(policies, policies.Allowlists[0]);
    }

    [Fact]
    public void An_allowlist_renders_to_one_chain_and_one_set_per_dependency_and_ports()
    {
        var rendering = Render();

        Assert.Equal("""
            # Rendered by Reconciler from the policies: allowlist egress (hosts host1, host2). Do not edit: load with `ipset restore < FILE`, before the rules.
            create egress_api_v4 hash:net family inet -exist
            create _egress_api_v4 hash:net family inet -exist
            flush _egress_api_v4
            add _egress_api_v4 192.0.2.10 -exist
            swap _egress_api_v4 egress_api_v4
            destroy _egress_api_v4
            create egress_api_v6 hash:net family inet6 -exist
            create _egress_api_v6 hash:net family inet6 -exist
            flush _egress_api_v6
            add _egress_api_v6 2001:db8::10 -exist
            swap _egress_api_v6 egress_api_v6
            destroy _egress_api_v6
            create egress_api_p2_v4 hash:net family inet -exist
            create _egress_api_p2_v4 hash:net family inet -exist
            flush _egress_api_p2_v4
            add _egress_api_p2_v4 192.0.2.20 -exist
            swap _egress_api_p2_v4 egress_api_p2_v4
            destroy _egress_api_p2_v4
            create egress_partner_v4 hash:net family inet -exist
            create _egress_partner_v4 hash:net family inet -exist
            flush _egress_partner_v4
            add _egress_partner_v4 192.0.2.30 -exist
            add _egress_partner_v4 198.51.100.0/24 -exist
            swap _egress_partner_v4 egress_partner_v4
            destroy _egress_partner_v4

            """, rendering.Ipsets);
        Assert.Equal("""
            # Rendered by Reconciler from the policies: allowlist egress (hosts host1, host2). Do not edit: load with `iptables-restore --noflush < FILE`, which replaces chain rcn-egress only.
            # Hook it once: iptables -C OUTPUT -j rcn-egress || iptables -A OUTPUT -j rcn-egress
            *filter
            :rcn-egress - [0:0]
            -A rcn-egress -o lo -j ACCEPT
            -A rcn-egress -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            -A rcn-egress -p tcp -m set --match-set egress_api_v4 dst -m multiport --dports 443,8443 -m comment --comment "api p.yaml:12:9" -j ACCEPT
            -A rcn-egress -p tcp -m set --match-set egress_api_p2_v4 dst --dport 80 -m comment --comment "api p.yaml:14:9" -j ACCEPT
            -A rcn-egress -p tcp -m set --match-set egress_partner_v4 dst --dport 443 -m comment --comment "partner p.yaml:17:9" -j ACCEPT
            -A rcn-egress -p tcp -j REJECT --reject-with tcp-reset
            COMMIT

            """, rendering.Ipv4Rules);
        Assert.Contains("-A rcn-egress -p tcp -m set --match-set egress_api_v6 dst -m multiport --dports 443,8443", rendering.Ipv6Rules, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_policies_render_the_same_bytes_whatever_the_order_of_destinations()
    {
        var reordered = Render(Policy.Replace("[198.51.100.0/24, 192.0.2.30]", "[192.0.2.30, 198.51.100.0/24]", StringComparison.Ordinal));

        Assert.Equal(Render().Ipsets, reordered.Ipsets);
        Assert.Equal(Render().Ipv4Rules, Render().Ipv4Rules);
    }

    [Fact]
    public async Task Every_rendered_allowlist_loads_for_real_and_loads_again()
    {
        var example = PolicyDirectory.Load(RepoPaths.Policies, displayRoot: RepoPaths.Root).Policies!;
        var renderings = example.Allowlists.Where(a => a.Kind == AllowlistKind.Iptables).Select(a => IptablesRenderer.Render(example, a)).Append(Render()).ToList();

        foreach (var rendering in renderings)
        {
            using var ns = await NetworkNamespace.CreateAsync();
            for (var time = 1; time <= 2; time++)
                await LoadAsync(ns, rendering, withIpv6: true);
            await AssertLoads(ns, $"iptables -C OUTPUT -j {rendering.Chain} 2>/dev/null || iptables -A OUTPUT -j {rendering.Chain}", "");
            var saved = await ns.RunAsync("iptables-save");
            Assert.Equal(rendering.Sets.Count(s => s.Family == 4), saved.Split('\n').Count(l => l.StartsWith($"-A {rendering.Chain} -p tcp -m set", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Applied_rules_admit_declared_addresses_and_ports_and_refuse_the_rest_at_once()
    {
        using var firewall = await NetworkNamespace.CreateAsync();
        using var internet = await NetworkNamespace.CreateAsync();
        await NetworkNamespace.ConnectAsync(firewall, internet);
        foreach (var address in new[] { "192.0.2.10", "192.0.2.11", "192.0.2.20" })
            await internet.RunAsync("ip", "addr", "add", address + "/32", "dev", "lo");
        internet.Start("python3", "-c", "import socket,threading\ndef serve(p):\n s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('0.0.0.0',p)); s.listen(64)\n while True: s.accept()[0].close()\nfor p in (80,443,8443): threading.Thread(target=serve,args=(p,),daemon=True).start()\nthreading.Event().wait()");
        await WaitForListenerAsync(internet, 8443);

        Assert.Equal("connected", await ConnectAsync(firewall, "192.0.2.11", 443));   // open before the rules
        var rendering = Render();
        await LoadAsync(firewall, rendering);
        await AssertLoads(firewall, $"iptables -A OUTPUT -j {rendering.Chain}", "");

        Assert.Equal("connected", await ConnectAsync(firewall, "192.0.2.10", 443));
        Assert.Equal("connected", await ConnectAsync(firewall, "192.0.2.10", 8443));
        Assert.Equal("connected", await ConnectAsync(firewall, "192.0.2.20", 80));
        Assert.Equal("refused", await ConnectAsync(firewall, "192.0.2.11", 443));   // an address nobody declared
        Assert.Equal("refused", await ConnectAsync(firewall, "192.0.2.10", 80));    // a declared address, another port
        Assert.Equal("refused", await ConnectAsync(firewall, "192.0.2.20", 443));   // ports belong to their own rule
    }

    [Fact]
    public async Task A_host_missing_an_address_or_keeping_an_old_one_is_live_drift()
    {
        var policies = Parse(Policy);
        var rendering = IptablesRenderer.Render(policies, policies.Allowlists[0]);
        using var host = await NetworkNamespace.CreateAsync();
        await LoadAsync(host, rendering, hook: true);
        await host.RunAsync("ipset", "del", "egress_api_v4", "192.0.2.10");     // removed by hand on the host
        await host.RunAsync("ipset", "add", "egress_partner_v4", "203.0.113.9"); // left over from an old deploy
        var dumps = new Dictionary<string, string>
        {
            ["host1.iptables"] = await host.RunAsync("iptables-save"),
            ["host1.ipset"] = await host.RunAsync("ipset", "save"),
        };

        var drift = LiveDrift.Compare(policies, dumps);

        Assert.Equal(
            ["api host1 High host1 does not admit 192.0.2.10 (traffic to it is refused), unlike what egress renders for api: deploy the rendered rules to it.",
             "partner host1 Medium host1 still admits 203.0.113.9, unlike what egress renders for partner: deploy the rendered rules to it."],
            drift.Findings.Select(f => $"{f.Dependency} {f.Subject} {f.Severity} {f.Message}"));
        Assert.All(drift.Findings, f => Assert.Equal(FindingKind.LiveRuleDrift, f.Kind));
        Assert.Contains("live rules of host2 (egress) not checked: no dump for it in --live", drift.Notes);
    }

    [Fact]
    public async Task A_host_that_runs_exactly_the_rendering_has_no_drift()
    {
        var policies = Parse(Policy);
        var rendering = IptablesRenderer.Render(policies, policies.Allowlists[0]);
        using var host = await NetworkNamespace.CreateAsync();
        await LoadAsync(host, rendering, withIpv6: true, hook: true);

        var drift = LiveDrift.Compare(policies, new Dictionary<string, string>
        {
            ["host1.iptables"] = await host.RunAsync("iptables-save"),
            ["host1.ip6tables"] = await host.RunAsync("ip6tables-save"),
            ["host1.ipset"] = await host.RunAsync("ipset", "save"),
        });

        Assert.Empty(drift.Findings);
    }

    /// <summary>
    /// A reload swaps a filled set in, so a packet checked meanwhile always finds a declared address (README "Deploying
    /// the rendered files"). The control reloads the same entries the old way (flush, then add) and must be seen to
    /// miss, so the check can fail. Both loops are bounded and stop by themselves.
    /// </summary>
    [Fact]
    public async Task A_concurrent_check_never_misses_an_address_while_the_sets_reload()
    {
        var many = string.Join(", ", Enumerable.Range(0, 2000).Select(i => $"10.{i / 250}.{i % 250}.0/24"));
        var policies = Parse(Policy.Replace("destinations: [192.0.2.10, \"2001:db8::10\"]", $"destinations: [192.0.2.10, {many}]", StringComparison.Ordinal));
        var rendering = IptablesRenderer.Render(policies, policies.Allowlists[0]);
        Assert.Contains("swap _egress_api_v4 egress_api_v4", rendering.Ipsets, StringComparison.Ordinal);
        Assert.DoesNotContain("flush egress_api_v4", rendering.Ipsets, StringComparison.Ordinal);
        var flushing = string.Join('\n', rendering.Ipsets.Split('\n')
            .Where(l => !l.StartsWith("create _", StringComparison.Ordinal) && !l.StartsWith("swap ", StringComparison.Ordinal) && !l.StartsWith("destroy ", StringComparison.Ordinal))
            .Select(l => l.Replace(" _egress", " egress", StringComparison.Ordinal)));
        Assert.Contains("flush egress_api_v4", flushing, StringComparison.Ordinal);

        var (swapTests, swapMisses) = await ReloadWhileCheckingAsync(rendering.Ipsets, 30);
        var (flushTests, flushMisses) = await ReloadWhileCheckingAsync(flushing, 30);

        Assert.True(swapTests > 0 && swapMisses == 0, $"swap: {swapMisses} of {swapTests} checks missed 192.0.2.10");
        Assert.True(flushTests > 0 && flushMisses > 0, $"control: the flushing reload never missed in {flushTests} checks, so the test proves nothing");
    }

    private static async Task<(int Tests, int Misses)> ReloadWhileCheckingAsync(string ipsets, int reloads)
    {
        using var ns = await NetworkNamespace.CreateAsync();
        var (exitCode, output) = await ns.ShellAsync($$"""
            F=$(mktemp); S=$F.stop; cat > $F
            ipset restore < $F || exit 9
            ( t=0; m=0; while [ ! -e $S ]; do t=$((t+1)); ipset -q test egress_api_v4 192.0.2.10 || m=$((m+1)); done; echo "$t $m" ) &
            for i in $(seq 1 {{reloads}}); do ipset restore < $F || echo "reload $i failed"; done
            touch $S; wait; rm -f $F $S
            """, ipsets);
        Assert.True(exitCode == 0 && !output.Contains("failed", StringComparison.Ordinal), output);
        var counts = output.Trim().Split('\n')[^1].Split(' ');
        return (int.Parse(counts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(counts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Loads a rendering as a host would: the sets first, then the rules that use them.</summary>
    internal static async Task LoadAsync(NetworkNamespace ns, IptablesRendering rendering, bool withIpv6 = false, bool hook = false)
    {
        await AssertLoads(ns, "ipset restore", rendering.Ipsets);
        await AssertLoads(ns, "iptables-restore --noflush", rendering.Ipv4Rules);
        if (withIpv6)
            await AssertLoads(ns, "ip6tables-restore --noflush", rendering.Ipv6Rules);
        if (hook)
        {
            await AssertLoads(ns, $"iptables -C OUTPUT -j {rendering.Chain} 2>/dev/null || iptables -A OUTPUT -j {rendering.Chain}", "");
            if (withIpv6)
                await AssertLoads(ns, $"ip6tables -C OUTPUT -j {rendering.Chain} 2>/dev/null || ip6tables -A OUTPUT -j {rendering.Chain}", "");
        }
    }

    internal static async Task AssertLoads(NetworkNamespace ns, string command, string input)
    {
        var (exitCode, output) = await ns.ShellAsync(command, input);
        Assert.True(exitCode == 0, $"{command}: exit {exitCode}: {output}\n{input}");
    }

    private static async Task<string> ConnectAsync(NetworkNamespace ns, string address, int port)
    {
        var (exitCode, output) = await ns.ShellAsync($"timeout 3 bash -c 'exec 3<>/dev/tcp/{address}/{port}' 2>&1");
        return exitCode == 0 ? "connected" : output.Contains("refused", StringComparison.OrdinalIgnoreCase) ? "refused" : $"exit {exitCode}: {output}";
    }

    private static async Task WaitForListenerAsync(NetworkNamespace ns, int port)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await ns.ShellAsync($"timeout 1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}'")).ExitCode == 0)
                return;
            await Task.Delay(25);
        }
        throw new TimeoutException("the test server in the namespace did not listen");
    }
}
