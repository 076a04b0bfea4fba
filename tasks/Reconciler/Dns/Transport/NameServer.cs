using System.Globalization;
using System.Net;

namespace Reconciler.Dns.Transport;

/// <summary>A DNS server to ask, <c>IP[:PORT]</c> or <c>[IPv6]:PORT</c>; each one is a vantage point of its own.</summary>
public sealed record NameServer(IPEndPoint Endpoint)
{
    public const int DefaultPort = 53;

    public static NameServer Parse(string text)
    {
        if (TryParse(text, out var server))
            return server;
        throw new FormatException($"'{text}' is not a name server address (IP, IP:PORT or [IPv6]:PORT)");
    }

    public static bool TryParse(string text, out NameServer server)
    {
        server = null!;
        text = text.Trim();
        if (IPAddress.TryParse(text, out var bare) && !text.Contains('%'))
        {
            server = new NameServer(new IPEndPoint(bare, DefaultPort));
            return true;
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return false;
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        else if (host.Contains(':'))
            return false;   // an IPv6 address with a port must be bracketed
        if (!IPAddress.TryParse(host, out var address) || host.Contains('%'))
            return false;
        server = new NameServer(new IPEndPoint(address, port));
        return true;
    }

    public override string ToString() => Endpoint.ToString();
}
