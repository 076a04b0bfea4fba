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
        if (!TryParseAddress(addressText, text, out var address, out var problem))
            return Fail(problem ?? $"'{text}' is not an IP address or CIDR network", out error);
        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        var prefixText = slash < 0 ? "" : text[(slash + 1)..];
        if (slash >= 0 && (prefixText.Length is 0 or > 3 || (prefixText.Length > 1 && prefixText[0] == '0')
            || !int.TryParse(prefixText, System.Globalization.NumberStyles.None, null, out prefix) || prefix > maxPrefix))
            return Fail($"'{text}' has a bad prefix length; use 0 to {maxPrefix}", out error);
        network = new IPNetwork(Mask(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
            return Fail($"'{text}' has host bits set; did you mean {network}?", out error);
        error = "";
        return true;
    }

    public static bool TryParseAddress(string text, out IPAddress address) => TryParseAddress(text, out address, out _);

    /// <summary>
    /// An IPv4 address only as a dotted quad of decimal numbers without leading zeros: IPAddress.TryParse also takes
    /// "10.1" (= 10.0.0.1), "0x0a.1.1.1" and "010.1.1.1" (octal: 8.1.1.1), and tools downstream read those
    /// differently. <paramref name="problem"/> says what is wrong when it is more than "not an address".
    /// </summary>
    public static bool TryParseAddress(string text, out IPAddress address, out string? problem) => TryParseAddress(text, text, out address, out problem);

    private static bool TryParseAddress(string text, string display, out IPAddress address, out string? problem)
    {
        address = IPAddress.None;
        problem = null;
        if (text.Length == 0 || text.Length > 64 || text.Contains('%') || text.Any(c => c > 127 || char.IsWhiteSpace(c) || char.IsControl(c)))
            return false;
        // The dotted tail of an IPv6 address (::ffff:192.0.2.1) follows the same rules.
        var dotted = text.Contains(':') ? (text.LastIndexOf(':') is var colon && text.IndexOf('.', colon) > 0 ? text[(colon + 1)..] : null) : text;
        if (dotted is not null && !IsDottedQuad(display, dotted, out problem))
            return false;
        if (!IPAddress.TryParse(text, out var parsed))
            return false;
        address = parsed;
        return true;
    }

    private static bool IsDottedQuad(string text, string dotted, out string? problem)
    {
        problem = null;
        var parts = dotted.Split('.');
        if (parts.Length != 4)
        {
            if (parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)))
                problem = $"'{text}' is not an IP address: write all four parts of an IPv4 address (a.b.c.d)";
            return false;
        }
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit))
                return false;
            if (part.Length > 1 && part[0] == '0')
            {
                problem = $"'{text}' has a leading zero in '{part}': some tools read it as octal; write it without the zero";
                return false;
            }
            if (int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) > 255)
                return false;
        }
        return true;
    }

    /// <summary>A single address as itself (192.0.2.7), a larger network as CIDR: as people write them in policies.</summary>
    /// <summary>Whether <paramref name="outer"/> holds all of <paramref name="inner"/> (same family, no longer a prefix, its base inside).</summary>
    public static bool Covers(IPNetwork outer, IPNetwork inner) =>
        outer.BaseAddress.AddressFamily == inner.BaseAddress.AddressFamily && outer.PrefixLength <= inner.PrefixLength && outer.Contains(inner.BaseAddress);

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
