using System.Net;
using Reconciler.Policies.Model;

namespace Reconciler.Policies.Validation;

/// <summary>
/// The one admission gate for anything a pull request could add to an allowlist (README "Trust boundary"): no
/// special-purpose address or prefix (<see cref="SpecialPurposeBlocks"/>), unless it is private use inside the
/// dependency's declared <c>private_ranges</c>; and none of our own egress addresses, nor a prefix holding one.
/// Plan applies it to every addition it finds; Review and Import ask it the same question. Pure.
/// </summary>
public sealed class AdditionGate
{
    private readonly Dictionary<string, IReadOnlyList<Located<IPNetwork>>> _privateRanges;
    private readonly List<(Identity Identity, Located<IPAddress> Address)> _egress;

    public AdditionGate(PolicySet policies)
    {
        _privateRanges = policies.Dependencies.GroupBy(d => d.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().PrivateRanges, StringComparer.Ordinal);
        _egress = [.. policies.Identities.SelectMany(i => i.EgressIps.Select(a => (i, a)))];
    }

    /// <summary>Why <paramref name="addition"/> must not be proposed for <paramref name="dependency"/>, as a phrase after "X is"; null when it may.</summary>
    public string? Refusal(string dependency, IPNetwork addition)
    {
        if (_egress.FirstOrDefault(e => Holds(addition, e.Address.Value)) is { Identity: not null } own)
        {
            var which = addition.PrefixLength == (addition.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                ? "one of our own egress addresses" : $"a prefix holding our own egress address {own.Address.Value}";
            return $"{which} (identity {own.Identity.Name}, {own.Address.Location}): a destination there would reach ourselves";
        }
        if (SpecialPurposeBlocks.Classify(addition) is not { } special)
            return null;
        var declared = _privateRanges.GetValueOrDefault(dependency) ?? [];
        if (special.Via is null && special.Block.PrivateUse && declared.Any(r => Covers(r.Value, addition)))
            return null;
        return special.Block.PrivateUse && special.Via is null
            ? $"{special.Describe()}, and {dependency} declares no private_ranges holding it"
            : special.Describe();
    }

    private static bool Covers(IPNetwork outer, IPNetwork inner) =>
        outer.PrefixLength <= inner.PrefixLength && SpecialPurposeBlocks.Overlap(outer, inner);

    /// <summary>Whether the addition holds the address, itself or as the IPv4 part of an IPv6 form that carries it.</summary>
    private static bool Holds(IPNetwork addition, IPAddress address) =>
        SpecialPurposeBlocks.Overlap(addition, new IPNetwork(address, address.GetAddressBytes().Length * 8))
        || SpecialPurposeBlocks.EmbeddingForms.Any(f => SpecialPurposeBlocks.Overlap(f.Network, addition)
            && SpecialPurposeBlocks.Overlap(SpecialPurposeBlocks.EmbeddedIPv4(f, addition), new IPNetwork(address, address.GetAddressBytes().Length * 8)));

    /// <summary>The same question for a text as findings carry it (an address or CIDR); text that is neither is refused.</summary>
    public string? Refusal(string dependency, string addition) =>
        Networks.TryParse(addition, out var network, out var error) ? Refusal(dependency, network) : $"not an address or prefix ({error})";
}
