using System.Globalization;
using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Render;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Render;

/// <summary>
/// Rendered nftables allowlists, checked by <c>nft -c -f</c> and loaded for real in network namespaces of their own;
/// the host's <c>nft list ruleset</c> is then fed back to live drift.
/// </summary>
public sealed class NftablesRenderTests
{
    public const string Policy = """
        dependencies:
          - name: api
            hosts: [api.example.test]
            ports: [443, 8443]
          - name: partner-api
            hosts: [partner.example.test]
        prefix_sets:
          - name: partner-ranges
            prefixes: [198.51.100.0/24]
        allowlists:
          - name: egress
            kind: nftables
            hosts: [host1]
            rules:
              - dependency: api
                destinations: [192.0.2.10, "2001:db8::10"]
              - dependency: api
                ports: [80]
                destinations: [192.0.2.20]
              - dependency: partner-api
                destinations: [198.51.100.7, 192.0.2.30]
                prefix_set: partner-ranges
        """;

    private static NftablesRendering Render(string yaml = Policy, string file = "p.yaml")
    {
        var result = PolicyParser.Parse([new PolicySource(file, yaml)]);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return NftablesRenderer.Render(result.Policies!, result.Policies!.Allowlists[0]);
    }

    [Fact]
    public void A_dependencys_second_port_group_and_a_dependency_named_like_it_get_sets_of_their_own()
    {
        var text = Render("""
            dependencies:
              - name: db
                hosts: [db.example.test]
              - name: db-p2
                hosts: [db2.example.test]
            allowlists:
              - name: egress
                kind: nftables
                hosts: [host1]
                rules:
                  - dependency: db
                    destinations: [192.0.2.10]
                  - dependency: db
                    ports: [5432]
                    destinations: [192.0.2.20]
                  - dependency: db-p2
                    destinations: [192.0.2.30]
            """).Text;

        var sets = System.Text.RegularExpressions.Regex.Matches(text, @"^\s*set (\S+) \{", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, sets.Count);
        Assert.Equal(sets.Count, sets.Distinct().Count());
    }

    [Fact]
    public void Renders_an_inet_table_of_its_own_that_a_reload_replaces_in_one_transaction()
    {
        var text = Render().Text;

        Assert.Equal("""
            # Rendered by Reconciler from the policies: allowlist egress (hosts host1). Do not edit: load with `nft -f FILE`, which replaces table inet rcn_egress only.
            table inet rcn_egress {}
            delete table inet rcn_egress
            table inet rcn_egress {
            	set d_api_v4 {
            		type ipv4_addr
            		flags interval
            		auto-merge
            		elements = { 192.0.2.10 }
            	}
            	set d_api_v6 {
            		type ipv6_addr
            		flags interval
            		auto-merge
            		elements = { 2001:db8::10 }
            	}
            	set d_api_P2_v4 {
            		type ipv4_addr
            		flags interval
            		auto-merge
            		elements = { 192.0.2.20 }
            	}
            	set d_partner_api_v4 {
            		type ipv4_addr
            		flags interval
            		auto-merge
            		elements = { 192.0.2.30, 198.51.100.0/24, 198.51.100.7 }
            	}
            	chain output {
            		type filter hook output priority 0; policy accept;
            		oifname "lo" accept
            		ct state established,related accept
            		# api p.yaml:15:9
            		ip daddr @d_api_v4 tcp dport { 443, 8443 } accept
            		# api p.yaml:15:9
            		ip6 daddr @d_api_v6 tcp dport { 443, 8443 } accept
            		# api p.yaml:17:9
            		ip daddr @d_api_P2_v4 tcp dport 80 accept
            		# partner-api p.yaml:20:9
            		ip daddr @d_partner_api_v4 tcp dport 443 accept
            		meta l4proto tcp reject with tcp reset
            	}
            }

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public async Task Nft_checks_the_rendering_and_a_hostile_file_name_stays_a_comment()
    {
        var hostile = "p.yaml\n}\ndelete table inet filter\ntable inet evil { chain c { type filter hook output priority -1; policy drop; } }\n#";
        foreach (var rendering in new[] { Render(), Render(file: hostile) })
        {
            var check = await NftAsync("nft -c -f FILE", rendering.Text);
            Assert.True(check.ExitCode == 0, check.Output + "\n" + rendering.Text);
        }
        var listed = await NftAsync("nft -f FILE && nft list ruleset", Render(file: hostile).Text);
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Equal(["table inet rcn_egress {"], listed.Output.Split('\n').Where(l => l.StartsWith("table ", StringComparison.Ordinal)));
        // Positive control: the same text outside a comment is syntax nft acts on.
        var unescaped = await NftAsync("nft -f FILE && nft list ruleset", "table inet evil { chain c { type filter hook output priority -1; policy drop; } }\n");
        Assert.Contains("table inet evil", unescaped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loading_twice_replaces_the_table_whole()
    {
        var first = Render();
        var second = Render(Policy.Replace("198.51.100.7, 192.0.2.30", "203.0.113.8", StringComparison.Ordinal));
        var listed = await NftAsync("nft -f FILE && nft -f FILE2 && nft list ruleset", first.Text, second.Text);

        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Contains("203.0.113.8", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("192.0.2.30", listed.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("nft add element inet rcn_egress d_partner_api_v4 { 203.0.113.9 }", "still admits 203.0.113.9")]
    [InlineData("nft insert rule inet rcn_egress output ip daddr 10.0.0.0/8 accept", "10.0.0.0/8 on every port (rcn_egress > output) at host1.nft:")]
    [InlineData("nft insert rule inet rcn_egress output ip daddr != 10.0.0.0/8 tcp dport 443 accept", "any destination: 'ip daddr != 10.0.0.0/8 tcp dport 443 accept' accepts without a destination")]
    [InlineData("nft delete table inet rcn_egress", "any destination: table inet rcn_egress is not loaded")]
    [InlineData("nft insert rule inet rcn_egress output tcp dport 22 accept", "any destination: 'tcp dport 22 accept' accepts without a destination")]
    public async Task Live_drift_reads_the_loaded_table_back_and_finds_any_change(string change, string expected)
    {
        var policies = PolicyParser.Parse([new PolicySource("p.yaml", Policy)]).Policies!;
        var listed = await NftAsync("nft -f FILE && " + (change.Length == 0 ? "" : change + " && ") + "nft list ruleset", Render().Text);
        Assert.True(listed.ExitCode == 0, listed.Output);

        var drift = LiveDrift.Compare(policies, new Dictionary<string, string> { ["host1.nft"] = listed.Output });

        if (expected.Length == 0)
        {
            Assert.Empty(drift.Findings);
            Assert.Empty(drift.Notes);
            return;
        }
        var finding = Assert.Single(drift.Findings);
        Assert.Equal(FindingKind.LiveRuleDrift, finding.Kind);
        Assert.Contains(expected, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listing_without_its_final_reject_is_drift()
    {
        var policies = PolicyParser.Parse([new PolicySource("p.yaml", Policy)]).Policies!;
        var listed = await NftAsync("nft -f FILE && nft list ruleset", Render().Text);
        var cut = string.Join('\n', listed.Output.Split('\n').Where(l => !l.Contains("reject with tcp reset", StringComparison.Ordinal)));

        Assert.Empty(LiveDrift.Compare(policies, new Dictionary<string, string> { ["host1.nft"] = listed.Output }).Findings);
        var finding = Assert.Single(LiveDrift.Compare(policies, new Dictionary<string, string> { ["host1.nft"] = cut }).Findings);
        Assert.Contains("has no final reject", finding.Message, StringComparison.Ordinal);
        Assert.Single(finding.Evidence);
    }

    /// <summary>
    /// Generated overlapping and adjacent destinations load, list back merged by nft into wider prefixes and ranges,
    /// and are no drift; one element added on the host is drift, and so is one merged element deleted from it. The seed
    /// is RECONCILER_NFT_SEED (fixed by default); RECONCILER_NFT_SEEDS=N runs N seeds from it in turn.
    /// </summary>
    [Fact]
    public async Task Generated_destinations_round_trip_through_nft_and_an_extra_or_missing_element_is_drift()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_NFT_SEED"), CultureInfo.InvariantCulture, out var given) ? given : 20261207;
        var count = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_NFT_SEEDS"), CultureInfo.InvariantCulture, out var seeds) ? seeds : 1;
        for (var seed = first; seed < first + count; seed++)
            await RoundTripAsync(seed);
    }

    private static async Task RoundTripAsync(int seed)
    {
        var random = new Random(seed);
        var destinations = Enumerable.Range(0, 40).Select(_ => random.Next(3) switch
        {
            0 => random.Next(16, 25) is var length ? $"10.{random.Next(4)}.{random.Next(256) & ~((1 << (24 - length)) - 1)}.0/{length}" : "",
            1 => $"10.{random.Next(4)}.{random.Next(256)}.{random.Next(256)}",
            _ => $"\"2001:db8:{random.Next(4):x}::{random.Next(65536):x}\"",
        }).ToList();
        // Drawn after the rest, so a seed still replays the addresses above as it did before IPv6 prefixes were added.
        destinations.AddRange(Enumerable.Range(0, 8).Select(_ => random.Next(48, 65) is var length
            ? $"\"2001:db8:{random.Next(4):x}:{random.Next(65536) & ~((1 << (64 - length)) - 1):x}::/{length}\"" : ""));
        var yaml = $"dependencies:\n  - name: api\n    hosts: [api.example.test]\nallowlists:\n  - name: egress\n    kind: nftables\n    hosts: [host1]\n    rules:\n      - dependency: api\n        destinations: [{string.Join(", ", destinations)}]\n";
        var parsed = PolicyParser.Parse([new PolicySource("p.yaml", yaml)]);
        Assert.True(parsed.IsValid, $"seed {seed}: {string.Join("\n", parsed.Errors)}");
        var policies = parsed.Policies!;
        var text = NftablesRenderer.Render(policies, policies.Allowlists[0]).Text;

        var listed = await NftAsync("nft -f FILE && nft list ruleset", text);
        Assert.True(listed.ExitCode == 0, $"seed {seed}: {listed.Output}");
        var clean = LiveDrift.Compare(policies, new Dictionary<string, string> { ["host1.nft"] = listed.Output });
        Assert.True(clean.Findings.Count == 0, $"seed {seed}: {string.Join("\n", clean.Findings.Select(f => f.Message))}\n{listed.Output}");

        // Positive controls: an address the policies do not name, and a whole element as nft merged it, gone.
        var added = await NftAsync("nft -f FILE && nft add element inet rcn_egress d_api_v4 { 172.16.9.9 } && nft list ruleset", text);
        var extra = Assert.Single(LiveDrift.Compare(policies, new Dictionary<string, string> { ["host1.nft"] = added.Output }).Findings);
        Assert.Contains("still admits 172.16.9.9,", extra.Message, StringComparison.Ordinal);
        var merged = System.Text.RegularExpressions.Regex.Match(listed.Output, @"set d_api_v4 \{[^}]*elements = \{ ([^,\s}]+)").Groups[1].Value;
        var deleted = await NftAsync($"nft -f FILE && nft delete element inet rcn_egress d_api_v4 {{ {merged} }} && nft list ruleset", text);
        Assert.True(deleted.ExitCode == 0, $"seed {seed}: {deleted.Output}");
        var missing = Assert.Single(LiveDrift.Compare(policies, new Dictionary<string, string> { ["host1.nft"] = deleted.Output }).Findings);
        var gone = string.Join(", ", Reconciler.Rulesets.AddressSet.Of(4, Reconciler.Rulesets.NftRuleset.Element(merged)!).Networks().Select(Reconciler.Policies.Validation.Networks.Format).Order(StringComparer.Ordinal));
        Assert.Contains($"does not admit {gone} (traffic", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs a shell command in a network namespace of its own, with the texts as FILE, FILE2… in a scratch folder.</summary>
    public static async Task<(int ExitCode, string Output)> NftAsync(string command, params string[] files)
    {
        var folder = Directory.CreateTempSubdirectory("rcn-nft-");
        try
        {
            for (var i = 0; i < files.Length; i++)
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, i == 0 ? "FILE" : "FILE" + (i + 1)), files[i]);
            var start = new System.Diagnostics.ProcessStartInfo(ExternalTool.Find("unshare", "util-linux")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder.FullName };
            foreach (var argument in new[] { "-n", "sh", "-c", command })
                start.ArgumentList.Add(argument);
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output + await error);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
