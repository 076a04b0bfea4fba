namespace Reconciler.Review;

/// <summary>
/// Ports whose opening to a third party is high in a review (README "Review of policy pull requests"): remote
/// administration, file sharing, databases and caches. None of them is how an HTTP API is called, and each is how a
/// compromised host is steered from outside or how data leaves in bulk, so an egress rule to them is either a
/// mistake or a decision someone must own.
/// </summary>
internal static class SensitivePorts
{
    private static readonly Dictionary<int, string> Services = new()
    {
        [22] = "ssh",
        [23] = "telnet",
        [135] = "msrpc",
        [139] = "netbios",
        [445] = "smb",
        [1433] = "sql server",
        [1521] = "oracle",
        [2375] = "docker api",
        [2376] = "docker api",
        [3306] = "mysql",
        [3389] = "rdp",
        [5432] = "postgresql",
        [5900] = "vnc",
        [5985] = "winrm",
        [5986] = "winrm",
        [6379] = "redis",
        [9200] = "elasticsearch",
        [11211] = "memcached",
        [27017] = "mongodb",
    };

    /// <summary>The service a sensitive port carries, or null for any other port.</summary>
    public static string? ServiceOf(int port) => Services.GetValueOrDefault(port);
}
