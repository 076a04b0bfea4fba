using Reconciler.Dns.Protocol;
using Reconciler.Dns.Wire;

namespace Reconciler.Dns.Transport;

/// <summary>A reply that answers our query: decoded, or (when it does not decode past its question) the reason why.</summary>
public sealed record DnsReply(byte[] Bytes, DnsMessage? Message, DnsFormatException? Error)
{
    public bool IsTruncated => Message?.Header.IsTruncated ?? (Bytes.Length >= 4 && (Bytes[2] & 0x02) != 0);
}
