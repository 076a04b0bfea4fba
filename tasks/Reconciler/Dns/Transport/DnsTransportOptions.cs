namespace Reconciler.Dns.Transport;

/// <summary>How patiently and by which means to ask one server.</summary>
public sealed record DnsTransportOptions
{
    public static DnsTransportOptions Default { get; } = new();

    /// <summary>How long one attempt waits for its answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Tries per query, counting the first; only silence is retried.</summary>
    public int Attempts { get; init; } = 2;
    /// <summary>For servers (or middleboxes) that mangle UDP.</summary>
    public bool TcpOnly { get; init; }
    /// <summary>RD bit: ask a recursive server to recurse; an authoritative one ignores it.</summary>
    public bool RecursionDesired { get; init; } = true;
    public ushort UdpPayloadSize { get; init; } = Wire.DnsQueryWriter.DefaultUdpPayloadSize;
}
