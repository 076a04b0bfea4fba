using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Render;
using Reconciler.Tests.Render;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Observe;

/// <summary>
/// Live drift of the whole ruleset: a host runs the rendering (loaded for real in a namespace of its own, hooked into
/// OUTPUT), then one change is made by hand, and its iptables-save / ipset save are compared with the policies.
/// </summary>
public sealed class LiveDriftTests
{
    [Theory]
    [InlineData("none", "")]
    [InlineData("ipset del egress_partner_v4 192.0.2.30; iptables -I OUTPUT 1 -d 192.0.2.30 -p tcp --dport 443 -j ACCEPT", "")]
    [InlineData("ipset del egress_partner_v4 198.51.100.0/24; ipset add egress_partner_v4 198.51.100.128/25; ipset add egress_partner_v4 198.51.100.0/25", "")]
    [InlineData("ipset del egress_partner_v4 198.51.100.0/24; ipset add egress_partner_v4 198.51.100.128/25", "does not admit 198.51.100.0/25 (traffic to it is refused)")]
    [InlineData("iptables -I rcn-egress 3 -d 10.0.0.0/8 -j ACCEPT", "10.0.0.0/8 on every port (OUTPUT > rcn-egress) at host1.iptables:")]
    [InlineData("iptables -D rcn-egress -p tcp -j REJECT --reject-with tcp-reset", "any destination: the policy of OUTPUT (ACCEPT) takes what no rule decided (OUTPUT) at host1.iptables:")]
    [InlineData("iptables -D OUTPUT -j rcn-egress", "any destination: the policy of OUTPUT (ACCEPT) takes what no rule decided (OUTPUT) at host1.iptables:")]
    [InlineData("iptables -I rcn-egress 3 -p tcp -m set --match-set egress_partner_v4 dst --dport 1:65535 -j ACCEPT", "192.0.2.30 on ports 1-65535 (set egress_partner_v4) (OUTPUT > rcn-egress) at host1.iptables:")]
    [InlineData("iptables -I OUTPUT 1 -p tcp -d 203.0.113.5 -m multiport --dports 22,443 -j ACCEPT", "203.0.113.5 on ports 22,443 (OUTPUT) at host1.iptables:")]
    public async Task Anything_a_host_admits_beyond_the_policies_is_drift_and_an_address_admitted_elsewhere_is_not_refused(string change, string expected)
    {
        var policies = IptablesRenderTests.Parse(IptablesRenderTests.Policy);
        var rendering = IptablesRenderer.Render(policies, policies.Allowlists[0]);
        using var host = await NetworkNamespace.CreateAsync();
        await IptablesRenderTests.LoadAsync(host, rendering, withIpv6: true, hook: true);
        if (change != "none")
            await IptablesRenderTests.AssertLoads(host, change, "");

        var drift = LiveDrift.Compare(policies, new Dictionary<string, string>
        {
            ["host1.iptables"] = await host.RunAsync("iptables-save"),
            ["host1.ip6tables"] = await host.RunAsync("ip6tables-save"),
            ["host1.ipset"] = await host.RunAsync("ipset", "save"),
        });

        if (expected.Length == 0)
        {
            Assert.Empty(drift.Findings);
            return;
        }
        var finding = Assert.Single(drift.Findings);
        Assert.Equal(FindingKind.LiveRuleDrift, finding.Kind);
        Assert.Equal(Severity.High, finding.Severity);
        if (expected.StartsWith("does not admit", StringComparison.Ordinal))
        {
            // A set that lost addresses: what is missing, as addresses, whatever the set's entries now say.
            Assert.StartsWith("host1 " + expected, finding.Message, StringComparison.Ordinal);
            return;
        }
        Assert.StartsWith("host1 admits traffic beyond what egress renders: ", finding.Message, StringComparison.Ordinal);
        Assert.Contains(expected, finding.Message, StringComparison.Ordinal);
        Assert.Contains(finding.Evidence, e => e.Source.StartsWith("host1.iptables:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_proxy_that_allows_all_is_drift_and_one_that_runs_the_include_is_not()
    {
        var policies = IptablesRenderTests.Parse(SquidRenderTests.Policy);
        var include = SquidRenderer.Render(policies, policies.Allowlists[0]).Include;

        var clean = LiveDrift.Compare(policies, new Dictionary<string, string> { ["proxy1.squid"] = include + "http_access deny all\n" });
        var open = LiveDrift.Compare(policies, new Dictionary<string, string> { ["proxy1.squid"] = include + "http_access allow all\nhttp_access deny all\n" });

        Assert.Empty(clean.Findings);
        var finding = Assert.Single(open.Findings);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.StartsWith("proxy1 admits traffic beyond what proxy renders: http_access allow all: any destination at proxy1.squid:", finding.Message, StringComparison.Ordinal);
    }
}
