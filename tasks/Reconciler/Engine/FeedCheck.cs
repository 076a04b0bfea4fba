using System.Net;
using System.Net.Sockets;
using Reconciler.Policies.Validation;
using Reconciler.Providers;

namespace Reconciler.Engine;

/// <summary>
/// What a provider's feed must not hold before it replaces that provider's part of the snapshot: all addresses
/// (0.0.0.0/0, ::/0), a special-purpose block (loopback, private use, link local and the metadata address…), or a
/// prefix broader than the policies' broadest prefixes. A feed is written by others; its prefixes reach allowlists as
/// pull requests a busy reviewer trusts (README "Trust boundary"). Pure.
/// </summary>
public static class FeedCheck
{
    /// <param name="specialPurpose">Why a prefix is special-purpose ("in 10.0.0.0/8 (private use)"), or null when it is not.</param>
    /// <returns>Why each refused prefix is refused, one line each, in feed order; empty when the feed may be kept.</returns>
    public static IReadOnlyList<string> Refusals(IEnumerable<ProviderPrefix> prefixes, int broadestIPv4, int broadestIPv6, Func<IPNetwork, string?>? specialPurpose = null)
    {
        specialPurpose ??= network => SpecialPurposeBlocks.Classify(network)?.Describe();
        var refusals = new List<string>();
        foreach (var group in prefixes.GroupBy(p => p.Prefix))
        {
            var prefix = group.Key;
            var v4 = prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
            var broadest = v4 ? broadestIPv4 : broadestIPv6;
            var why = prefix.PrefixLength == 0 ? $"every {(v4 ? "IPv4" : "IPv6")} address"
                : specialPurpose(prefix) is { } special ? special
                : prefix.PrefixLength < broadest ? $"broader than /{broadest} (settings.broadest_{(v4 ? "ipv4" : "ipv6")}_prefix)"
                : null;
            if (why is not null)
                refusals.Add($"{Networks.Format(prefix)} ({group.First().Service} {group.First().Region}) is {why}");
        }
        return refusals;
    }
}
