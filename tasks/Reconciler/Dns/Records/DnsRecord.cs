using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Records;

/// <summary>A resource record (RFC 1035 §4.1.3): owner, type, class and TTL, and the type's own data.</summary>
public abstract record DnsRecord(DnsName Name, ushort TypeCode, ushort Class, uint Ttl)
{
    public RecordType Type => (RecordType)TypeCode;
}
