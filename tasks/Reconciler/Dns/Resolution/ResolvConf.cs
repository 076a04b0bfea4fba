using System.Globalization;
using Reconciler.Dns.Transport;

namespace Reconciler.Dns.Resolution;

/// <summary>The parts of resolv.conf(5) a stub needs: <c>nameserver</c> lines and <c>options timeout: attempts:</c>.</summary>
public sealed record ResolvConf(IReadOnlyList<NameServer> Servers, DnsTransportOptions Options, IReadOnlyList<string> Skipped)
{
    public const string SystemPath = "/etc/resolv.conf";

    public static ResolvConf Parse(string text)
    {
        var servers = new List<NameServer>();
        var skipped = new List<string>();
        var options = DnsTransportOptions.Default with { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', ';')[0].Trim();
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
                continue;
            if (fields[0] == "nameserver")
            {
                // A link-local server with a %zone is refused by TryParse: say so rather than guess the interface.
                if (NameServer.TryParse(fields[1], out var server))
                    servers.Add(server);
                else
                    skipped.Add(fields[1]);
            }
            else if (fields[0] == "options")
            {
                foreach (var option in fields.Skip(1))
                {
                    if (Value(option, "timeout:") is { } seconds)
                        options = options with { Timeout = TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 30)) };
                    else if (Value(option, "attempts:") is { } attempts)
                        options = options with { Attempts = Math.Clamp(attempts, 1, 5) };
                }
            }
        }
        return new ResolvConf(servers, options, skipped);
    }

    private static int? Value(string option, string prefix) =>
        option.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(option.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
