using System.Net;
using System.Net.Sockets;

namespace Reconciler.Policies.Validation;

/// <summary>An IANA special-purpose block that no pull request may add to an allowlist (README "Trust boundary").</summary>
/// <param name="PrivateUse">Private use (RFC 1918, unique local): a dependency's <c>private_ranges</c> may admit these, nothing else.</param>
public sealed record SpecialPurposeBlock(IPNetwork Network, string Name, bool PrivateUse = false)
{
    public override string ToString() => $"{Network} ({Name})";
}

/// <summary>
/// An IPv6 form whose traffic ends at an IPv4 address carried inside it: 32 bits from <paramref name="Offset"/>
/// (bit 0 first), stored bitwise inverted when <paramref name="Inverted"/> (Teredo's client address).
/// </summary>
public sealed record EmbeddingForm(IPNetwork Network, string Name, int Offset, bool Inverted = false)
{
    public override string ToString() => $"{Name} {Networks.Format(Network)}";
}

/// <summary>Why an address or prefix is special-purpose: the block, and the IPv6 form and IPv4 part it reached it through.</summary>
public sealed record SpecialPurposeMatch(SpecialPurposeBlock Block, EmbeddingForm? Via = null, IPNetwork? Embedded = null)
{
    /// <summary>Reads after "X is …": "in 169.254.0.0/16 (link local…)", or "the IPv4-mapped form (::ffff:0:0/96) of 127.0.0.1, in …".</summary>
    public string Describe() => Via is null || Embedded is not { } embedded
        ? $"in {Block}"
        : embedded.PrefixLength == 0
            ? $"overlapping {Via}, which may carry any IPv4 address, {Block} among them"
            : $"in {Via}, carrying {Networks.Format(embedded)}, which {(embedded.PrefixLength == 32 ? "is in" : "overlaps")} {Block}";
}

/// <summary>
/// The special-purpose blocks and the IPv6 forms that embed IPv4, and the one classifier over them. An address or
/// prefix is special-purpose when it overlaps a block in any part, directly or through the IPv4 part of an embedding
/// form. Documentation and benchmarking blocks are not listed: they route nowhere, and examples and tests use them.
/// Pure.
/// </summary>
public static class SpecialPurposeBlocks
{
    public static IReadOnlyList<SpecialPurposeBlock> IPv4 { get; } =
    [
        Block("0.0.0.0/8", "\"this network\""),
        Block("10.0.0.0/8", "private use", privateUse: true),
        Block("100.64.0.0/10", "shared address space"),
        Block("127.0.0.0/8", "loopback"),
        Block("169.254.0.0/16", "link local, where 169.254.169.254 is the cloud metadata service"),
        Block("172.16.0.0/12", "private use", privateUse: true),
        Block("192.168.0.0/16", "private use", privateUse: true),
        Block("224.0.0.0/4", "multicast"),
        // Before 240.0.0.0/4, which holds it, so that it is named for what it is.
        Block("255.255.255.255/32", "limited broadcast"),
        Block("240.0.0.0/4", "reserved"),
    ];

    public static IReadOnlyList<SpecialPurposeBlock> IPv6 { get; } =
    [
        Block("::/128", "unspecified"),
        Block("::1/128", "loopback"),
        Block("fe80::/10", "link local"),
        Block("fc00::/7", "unique local", privateUse: true),
        Block("ff00::/8", "multicast"),
        // RFC 8215 lets each operator choose the prefix length inside it, and the embedded IPv4 address sits at a
        // different place for each: no address in it can be read, so all of it is refused (IANA: not global).
        Block("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
    ];

    public static IReadOnlyList<EmbeddingForm> EmbeddingForms { get; } =
    [
        Form("::ffff:0:0/96", "IPv4-mapped", 96),
        Form("64:ff9b::/96", "NAT64", 96),
        Form("2002::/16", "6to4", 16),
        // Deprecated (RFC 4291), but a dual-stack host may still route it to the IPv4 address.
        Form("::/96", "IPv4-compatible", 96),
        Form("2001::/32", "Teredo server", 32),
        Form("2001::/32", "Teredo client", 96, inverted: true),
    ];

    /// <summary>The first block <paramref name="network"/> overlaps, directly or through an embedding form; null when it is admissible.</summary>
    public static SpecialPurposeMatch? Classify(IPNetwork network)
    {
        if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            return IPv4.FirstOrDefault(b => Overlap(b.Network, network)) is { } block ? new SpecialPurposeMatch(block) : null;
        if (IPv6.FirstOrDefault(b => Overlap(b.Network, network)) is { } direct)
            return new SpecialPurposeMatch(direct);
        foreach (var form in EmbeddingForms.Where(f => Overlap(f.Network, network)))
        {
            var embedded = EmbeddedIPv4(form, network);
            if (IPv4.FirstOrDefault(b => Overlap(b.Network, embedded)) is { } block)
                return new SpecialPurposeMatch(block, form, embedded);
        }
        return null;
    }

    /// <summary>Whether two networks share any address (same family): one holds the other's base.</summary>
    /// <remarks>By the bits, not <see cref="IPNetwork.Contains"/>, which never finds an IPv4-mapped address in ::ffff:0:0/96.</remarks>
    public static bool Overlap(IPNetwork a, IPNetwork b)
    {
        if (a.BaseAddress.AddressFamily != b.BaseAddress.AddressFamily)
            return false;
        var prefix = Math.Min(a.PrefixLength, b.PrefixLength);
        return Networks.Mask(a.BaseAddress, prefix).GetAddressBytes().AsSpan().SequenceEqual(Networks.Mask(b.BaseAddress, prefix).GetAddressBytes());
    }

    /// <summary>
    /// The IPv4 addresses <paramref name="network"/> (which overlaps the form) can carry: all of them when it is wider
    /// than the form, or does not fix the embedded bits; otherwise those its prefix fixes.
    /// </summary>
    public static IPNetwork EmbeddedIPv4(EmbeddingForm form, IPNetwork network)
    {
        if (network.PrefixLength < form.Network.PrefixLength)
            return new IPNetwork(IPAddress.Any, 0);
        var bits = new UInt128(0, 0);
        var bytes = network.BaseAddress.GetAddressBytes();
        foreach (var b in bytes)
            bits = (bits << 8) | b;
        var v4 = (uint)(bits >> (96 - form.Offset));
        if (form.Inverted)
            v4 = ~v4;
        var prefix = Math.Clamp(network.PrefixLength - form.Offset, 0, 32);
        var address = new IPAddress([(byte)(v4 >> 24), (byte)(v4 >> 16), (byte)(v4 >> 8), (byte)v4]);
        return new IPNetwork(Networks.Mask(address, prefix), prefix);
    }

    private static SpecialPurposeBlock Block(string cidr, string name, bool privateUse = false) => new(IPNetwork.Parse(cidr), name, privateUse);

    private static EmbeddingForm Form(string cidr, string name, int offset, bool inverted = false) => new(IPNetwork.Parse(cidr), name, offset, inverted);
}
