using System.Net;
using Reconciler.Findings;
using Reconciler.Policies.Validation;

namespace Reconciler.Tests.TrustBoundary;

/// <summary>
/// The classifier at every edge: the first and last address of each block, the addresses just outside, /31s and
/// /127s at the edges, prefixes that overlap a block without lying in it, and every IPv6 form that carries IPv4.
/// The expected block is written out by hand, not taken from the table under test.
/// </summary>
public sealed class SpecialPurposeBlocksTests
{
    public static TheoryData<string, string?> Rows() => new()
    {
        // "this network"
        { "0.0.0.0", "0.0.0.0/8" }, { "0.255.255.255", "0.0.0.0/8" }, { "1.0.0.0", null },
        // private use
        { "9.255.255.255", null }, { "10.0.0.0", "10.0.0.0/8" }, { "10.1.2.3", "10.0.0.0/8" }, { "10.255.255.255", "10.0.0.0/8" }, { "11.0.0.0", null },
        { "172.15.255.255", null }, { "172.16.0.0", "172.16.0.0/12" }, { "172.31.255.255", "172.16.0.0/12" }, { "172.32.0.0", null },
        { "192.167.255.255", null }, { "192.168.0.0", "192.168.0.0/16" }, { "192.168.255.255", "192.168.0.0/16" }, { "192.169.0.0", null },
        // shared address space
        { "100.63.255.255", null }, { "100.64.0.0", "100.64.0.0/10" }, { "100.64.0.1", "100.64.0.0/10" }, { "100.127.255.255", "100.64.0.0/10" }, { "100.128.0.0", null },
        // loopback
        { "126.255.255.255", null }, { "127.0.0.0", "127.0.0.0/8" }, { "127.0.0.1", "127.0.0.0/8" }, { "127.255.255.255", "127.0.0.0/8" }, { "128.0.0.0", null },
        // link local and the metadata address
        { "169.253.255.255", null }, { "169.254.0.0", "169.254.0.0/16" }, { "169.254.169.254", "169.254.0.0/16" }, { "169.254.255.255", "169.254.0.0/16" }, { "169.255.0.0", null },
        // multicast, reserved, broadcast
        { "223.255.255.255", null }, { "224.0.0.0", "224.0.0.0/4" }, { "224.0.0.1", "224.0.0.0/4" }, { "239.255.255.255", "224.0.0.0/4" },
        { "240.0.0.0", "240.0.0.0/4" }, { "255.255.255.254", "240.0.0.0/4" }, { "255.255.255.255", "255.255.255.255/32" },
        // /31s at the edges: inside, and just outside
        { "169.254.0.0/31", "169.254.0.0/16" }, { "169.253.255.254/31", null }, { "172.31.255.254/31", "172.16.0.0/12" }, { "172.32.0.0/31", null },
        { "255.255.255.254/31", "255.255.255.255/32" }, { "223.255.255.254/31", null }, { "100.127.255.254/31", "100.64.0.0/10" },
        // prefixes that overlap a block in part
        { "0.0.0.0/0", "0.0.0.0/8" }, { "10.0.0.0/7", "10.0.0.0/8" }, { "126.0.0.0/7", "127.0.0.0/8" }, { "100.0.0.0/9", "100.64.0.0/10" },
        { "172.0.0.0/11", "172.16.0.0/12" }, { "192.128.0.0/9", "192.168.0.0/16" }, { "169.0.0.0/8", "169.254.0.0/16" }, { "8.0.0.0/7", null }, { "192.0.0.0/9", null },
        // documentation and benchmarking stay admissible, as do global addresses
        { "192.0.2.0/24", null }, { "198.51.100.7", null }, { "203.0.113.255", null }, { "198.18.0.0/15", null }, { "198.19.255.255", null },
        { "198.17.255.255", null }, { "198.20.0.0", null }, { "8.8.8.8", null }, { "1.1.1.1", null },
        // IPv6 blocks
        { "::", "::/128" }, { "::1", "::1/128" }, { "::/127", "::/128" },
        { "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null }, { "fe80::", "fe80::/10" }, { "fe80::1", "fe80::/10" }, { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::/10" }, { "fec0::", null },
        { "fe80::/127", "fe80::/10" }, { "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", null }, { "febf:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", "fe80::/10" }, { "fec0::/127", null },
        { "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null }, { "fc00::", "fc00::/7" }, { "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::/7" }, { "fe00::", null },
        { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null }, { "ff00::", "ff00::/8" }, { "ff02::1", "ff00::/8" }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ff00::/8" },
        { "64:ff9b:1::", "64:ff9b:1::/48" }, { "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "64:ff9b:1::/48" }, { "64:ff9b:1:0:0:0:c633:6407", "64:ff9b:1::/48" },
        { "64:ff9b:2::", null }, { "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", null }, { "64:ff9b::/32", "64:ff9b:1::/48" },
        { "2001:db8::/32", null }, { "2001:db8::7", null }, { "2606:4700::/32", null }, { "2a00:1450:4001::200e", null },
        { "::/0", "::/128" }, { "2000::/3", "0.0.0.0/8" },
        // IPv4-mapped
        { "::ffff:127.0.0.1", "127.0.0.0/8" }, { "::ffff:169.254.169.254", "169.254.0.0/16" }, { "::ffff:0.0.0.0", "0.0.0.0/8" }, { "::ffff:255.255.255.255", "255.255.255.255/32" },
        { "::ffff:9.255.255.255", null }, { "::ffff:198.51.100.7", null }, { "::ffff:10.0.0.0/104", "10.0.0.0/8" }, { "::ffff:198.51.100.0/120", null },
        { "::ffff:0:0/96", "0.0.0.0/8" }, { "::fffe:ffff:ffff", null },
        // NAT64
        { "64:ff9b::a9fe:a9fe", "169.254.0.0/16" }, { "64:ff9b::7f00:1", "127.0.0.0/8" }, { "64:ff9b::c633:6407", null }, { "64:ff9b::c633:6400/120", null },
        { "64:ff9b::/96", "0.0.0.0/8" }, { "64:ff9b::a00:0/104", "10.0.0.0/8" }, { "64:ff9b::800:0/103", null }, { "64:ff9b::a00:0/103", "10.0.0.0/8" },
        // 6to4
        { "2002:a01:203::1", "10.0.0.0/8" }, { "2002:a9fe:a9fe::", "169.254.0.0/16" }, { "2002:c633:6407::1", null }, { "2002:c633:6400::/40", null },
        { "2002::/16", "0.0.0.0/8" }, { "2002::/17", "0.0.0.0/8" }, { "2002:a00::/24", "10.0.0.0/8" }, { "2002:800::/24", null },
        { "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null }, { "2003::", null },
        // IPv4-compatible (deprecated)
        { "::a01:203", "10.0.0.0/8" }, { "::c633:6407", null }, { "::2", "0.0.0.0/8" },
        // Teredo: the server in bits 32-63, the client inverted in the last 32
        { "2001:0:c633:6407::39cc:9bf7", null }, { "2001:0:c633:6407::80ff:fffe", "127.0.0.0/8" }, { "2001:0:a00:1::39cc:9bf7", "10.0.0.0/8" },
        { "2001::/32", "0.0.0.0/8" }, { "2001:0:c633:6407::/64", "0.0.0.0/8" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_edge_is_classified_by_the_block_it_touches(string text, string? block)
    {
        Assert.True(Networks.TryParse(text, out var network, out var error), error);

        var match = SpecialPurposeBlocks.Classify(network);

        Assert.Equal(block, match?.Block.Network.ToString());
    }

    [Fact]
    public void Every_block_and_form_of_the_table_has_a_row_at_its_first_address()
    {
        var rows = Rows().Select(r => (string)r[0]).Select(t => Networks.TryParse(t, out var n, out _) ? n : default).ToList();
        foreach (var block in SpecialPurposeBlocks.IPv4.Concat(SpecialPurposeBlocks.IPv6))
            Assert.Contains(rows, n => n.BaseAddress.Equals(block.Network.BaseAddress));
        foreach (var form in SpecialPurposeBlocks.EmbeddingForms)
            Assert.Contains(rows, n => form.Network.Contains(n.BaseAddress) && n.PrefixLength > form.Network.PrefixLength);
    }

    [Fact]
    public void An_embedded_match_says_which_form_carried_which_address()
    {
        var match = SpecialPurposeBlocks.Classify(IPNetwork.Parse("::ffff:127.0.0.1/128"))!;

        Assert.Equal("in IPv4-mapped ::ffff:0:0/96, carrying 127.0.0.1, which is in 127.0.0.0/8 (loopback)", match.Describe());
        Assert.Equal("in 169.254.0.0/16 (link local, where 169.254.169.254 is the cloud metadata service)", SpecialPurposeBlocks.Classify(IPNetwork.Parse("169.254.169.254/32"))!.Describe());
        Assert.StartsWith("overlapping 6to4 2002::/16, which may carry any IPv4 address", SpecialPurposeBlocks.Classify(IPNetwork.Parse("2002::/16"))!.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_finding_kind_has_exactly_one_row_of_facts()
    {
        Assert.Equal(Enum.GetValues<FindingKind>().Order(), FindingKindFacts.All.Select(f => f.Kind).Order());
        Assert.Equal([FindingKind.MissingIp, FindingKind.ProviderRangeAdded], FindingKindFacts.All.Where(f => f.Effect == FindingEffect.Add).Select(f => f.Kind));
        Assert.Equal([FindingKind.StaleIp, FindingKind.ProviderRangeRemoved], FindingKindFacts.All.Where(f => f.Effect == FindingEffect.Remove).Select(f => f.Kind));
    }

    [Fact]
    public void What_an_ignore_cannot_silence_is_what_ignores_never_reach_or_must_not_hide()
    {
        // Made after ignores are applied, or judging a change under review: an ignore naming them would parse and do nothing.
        Assert.All(FindingKindFacts.All.Where(f => f.Stage is FindingStage.Threshold or FindingStage.Review), f => Assert.False(f.Silenceable, f.Kind.ToWire()));
        Assert.All(FindingKindFacts.All.Where(f => !f.Silenceable), f => Assert.False(string.IsNullOrWhiteSpace(f.NotSilenced)));
        Assert.False(FindingKind.IgnoreExpired.Facts().Silenceable);
        // Positive control: the gate's refusals are made before ignores, and README "Trust boundary" lets an ignore name them.
        Assert.True(FindingKind.AdditionRefused.Facts().Silenceable);
        Assert.Contains("addition-refused", FindingKindFacts.SilenceableWireNames);
        Assert.DoesNotContain("removal-held", FindingKindFacts.SilenceableWireNames);
    }

    [Fact]
    public void Issues_gather_addresses_and_hosts_as_their_rows_say()
    {
        Assert.Equal([FindingKind.OutsideProviderRange, FindingKind.StaticIpChanged, FindingKind.ProbeBlocked, FindingKind.ProbeFailed, FindingKind.AdditionRefused],
            FindingKindFacts.All.Where(f => f.Grouping == IssueKey.PerAddress).Select(f => f.Kind));
        Assert.Equal([FindingKind.ResolutionFailed], FindingKindFacts.All.Where(f => f.Grouping == IssueKey.PerHost).Select(f => f.Kind));
    }
}
