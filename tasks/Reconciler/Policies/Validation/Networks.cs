using System.Net;
using System.Net.Sockets;

namespace Reconciler.Policies.Validation;

/// <summary>Addresses and CIDR networks as policies write them.</summary>
public static class Networks
{
    /// <summary>
    /// Parses <c>192.0.2.1</c> (a /32), <c>2001:db8::/32</c> and the like. A network with host bits set is refused
    /// (<see cref="IPNetwork.TryParse(string, out IPNetwork)"/> would quietly mask them), naming the network meant.
    /// </summary>
    public static bool TryParse(string text, out IPNetwork network, out string error)
    {
        network = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
            return Fail($"'{text}' is not an IP address or CIDR network", out error);
        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out prefix) || prefix > maxPrefix))
            return Fail($"'{text}' has a bad prefix length; use 0 to {maxPrefix}", out error);
        network = new IPNetwork(Mask(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
            return Fail($"'{text}' has host bits set; did you mean {network}?", out error);
        error = "";
        return true;
    }

    public static bool TryParseAddress(string text, out IPAddress address)
    {
        // IPAddress.TryParse takes "1" or "10.1" as IPv4 shorthands; a policy with those is a typo, not an address.
        address = IPAddress.None;
        if (text.Length == 0 || (!text.Contains(':') && text.Count(c => c == '.') != 3))
            return false;
        if (text.Contains('%') || !IPAddress.TryParse(text, out var parsed))
            return false;
        address = parsed;
        return true;
    }

    /// <summary>A single address as itself (192.0.2.7), a larger network as CIDR: as people write them in policies.</summary>
    public static string Format(IPNetwork network) =>
        network.PrefixLength == (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            ? network.BaseAddress.ToString()
            : network.ToString();

    public static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
