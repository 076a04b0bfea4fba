using Reconciler.Import;
using Reconciler.Observe;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Providers;
using Reconciler.Render;
using Reconciler.Tests.Render;

namespace Reconciler.Tests.Import;

/// <summary>
/// Import of <c>nft list ruleset</c> output taken in a network namespace of the test's own: the draft is a
/// <c>kind: nftables</c> allowlist that validates and that live drift finds clean against the very dump it came from.
/// </summary>
public sealed class NftImportTests
{
    private static (PolicySet Policies, string Yaml) Drafted(string file, string listing)
    {
        var result = Importer.Draft([new(file, listing)], new ProviderKnowledge(ProviderSnapshot.Default), []);
        Assert.Empty(result.Problems);
        var texts = result.Drafts.Where(d => !d.IsEmpty).Select(d => new PolicySource(d.FileName, DraftYaml.Write(d))).ToList();
        var yaml = string.Join("\n---\n", texts.Select(t => t.Text));
        var loaded = PolicyParser.Parse(texts);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + yaml);
        return (loaded.Policies!, yaml);
    }

    [Fact]
    public async Task A_rendered_table_listed_by_nft_drafts_the_allowlist_again_and_plans_clean_against_the_same_dump()
    {
        var original = PolicyParser.Parse([new PolicySource("p.yaml", NftablesRenderTests.Policy)]).Policies!;
        var rendering = NftablesRenderer.Render(original, original.Allowlists[0]);
        var listed = await NftablesRenderTests.NftAsync("nft -f FILE && nft list ruleset", rendering.Text);
        Assert.True(listed.ExitCode == 0, listed.Output);

        var (draft, yaml) = Drafted("host1.nft", listed.Output);

        var allowlist = Assert.Single(draft.Allowlists);
        Assert.Equal(("egress", AllowlistKind.Nftables, "host1"), (allowlist.Name, allowlist.Kind, Assert.Single(allowlist.Hosts)));
        Assert.Equal(["api", "partner-api"], draft.Dependencies.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.Contains("imported from host1.nft:", yaml, StringComparison.Ordinal);
        var drift = LiveDrift.Compare(draft, new Dictionary<string, string> { ["host1.nft"] = listed.Output });
        Assert.Empty(drift.Findings);
        Assert.Empty(drift.Notes);   // so it was compared: a host without a dump is a note
        // The draft renders the table it came from: loaded, nft lists the same ruleset.
        var again = await NftablesRenderTests.NftAsync("nft -f FILE && nft list ruleset", NftablesRenderer.Render(draft, allowlist).Text);
        Assert.Equal(listed.Output, again.Output);

        // Positive control: the host with one more address is drift for the draft too.
        var added = await NftablesRenderTests.NftAsync("nft -f FILE && nft add element inet rcn_egress d_partner_api_v4 { 203.0.113.9 } && nft list ruleset", rendering.Text);
        var finding = Assert.Single(LiveDrift.Compare(draft, new Dictionary<string, string> { ["host1.nft"] = added.Output }).Findings);
        Assert.Contains("still admits 203.0.113.9,", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hand_written_table_drafts_its_destinations_and_notes_what_a_policy_cannot_say()
    {
        const string Table = """
            table inet filter {
            	chain output {
            		type filter hook output priority 0; policy drop;
            		oifname "lo" accept
            		ip daddr { 192.0.2.1, 192.0.2.2, 192.0.2.3 } tcp dport { 443, 8443 } accept
            		ip6 daddr 2001:db8::/48 tcp dport 443 accept
            		udp dport 53 accept
            	}
            }
            table ip nat {
            	chain postrouting {
            		type nat hook postrouting priority srcnat; policy accept;
            	}
            }
            """;
        var listed = await NftablesRenderTests.NftAsync("nft -f FILE && nft list ruleset", Table);
        Assert.True(listed.ExitCode == 0, listed.Output);

        var (draft, yaml) = Drafted("web1.nft", listed.Output);

        var allowlist = Assert.Single(draft.Allowlists);
        Assert.Equal(("imported-web1-nft-filter", AllowlistKind.Nftables, "web1"), (allowlist.Name, allowlist.Kind, Assert.Single(allowlist.Hosts)));
        foreach (var expected in new[] { "- 192.0.2.3", "- 2001:db8::/48", "every destination (udp) is admitted here; not imported" })
            Assert.True(yaml.Replace("\"", "", StringComparison.Ordinal).Contains(expected, StringComparison.Ordinal), $"{expected} not in:\n{yaml}");
        // The draft's own table is not on the host yet: live drift says so rather than calling the host clean.
        var finding = Assert.Single(LiveDrift.Compare(draft, new Dictionary<string, string> { ["web1.nft"] = listed.Output }).Findings);
        Assert.Contains("table inet rcn_imported_web1_nft_filter is not loaded", finding.Message, StringComparison.Ordinal);
    }
}
