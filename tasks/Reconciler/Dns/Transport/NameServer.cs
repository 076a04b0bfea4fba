using System.Globalization;
using System.Net;

namespace Reconciler.Dns.Transport;

/// <summary>
/// A DNS server to ask, <c>IP[:PORT]</c> or <c>[IPv6]:PORT</c>, and <c>tcp:</c> before it for a server that must be
/// asked over TCP (a middlebox that mangles UDP, say); each one is a vantage point of its own.
/// </summary>
public sealed record NameServer(IPEndPoint Endpoint, bool TcpOnly = false)
{
    public const int DefaultPort = 53;
    private const string TcpPrefix = "tcp:";

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
        var tcp = text.StartsWith(TcpPrefix, StringComparison.OrdinalIgnoreCase);
        if (tcp)
            text = text[TcpPrefix.Length..];
        // By shape, because IPAddress.TryParse takes "[::1]:5353" and quietly drops the port.
        string host;
        var port = DefaultPort;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0 || !TryParsePort(text[(close + 2)..], out port))
                return false;
            host = text[1..close];
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':');
            if (!TryParsePort(text[(colon + 1)..], out port))
                return false;
            host = text[..colon];
        }
        else
        {
            host = text;
        }
        if (host.Contains('%') || !IPAddress.TryParse(host, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && host.Count(c => c == '.') != 3))
            return false;
        server = new NameServer(new IPEndPoint(address, port), tcp);
        return true;
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    public override string ToString() => (TcpOnly ? TcpPrefix : "") + Endpoint;
}
