using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Records;

/// <summary>CNAME (RFC 1035 §3.3.1) or NS (§3.3.11): RDATA is one domain name, possibly compressed.</summary>
public sealed record NameRecord(DnsName Name, ushort TypeCode, ushort Class, uint Ttl, DnsName Target)
    : DnsRecord(Name, TypeCode, Class, Ttl);
