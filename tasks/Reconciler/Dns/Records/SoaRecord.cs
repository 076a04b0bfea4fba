using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Records;

/// <summary>
/// SOA (RFC 1035 §3.3.13): MNAME, RNAME (names), then SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM (32 bits each).
/// MINIMUM is the negative-caching TTL (RFC 2308), which is why NXDOMAIN answers carry it.
/// </summary>
public sealed record SoaRecord(DnsName Name, ushort Class, uint Ttl, DnsName PrimaryServer, DnsName Mailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum)
    : DnsRecord(Name, (ushort)Protocol.RecordType.SOA, Class, Ttl);
