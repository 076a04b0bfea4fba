using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Records;

/// <summary>Any type we do not decode (RFC 3597): kept as opaque RDATA, never an error.</summary>
public sealed record UnknownRecord(DnsName Name, ushort TypeCode, ushort Class, uint Ttl, byte[] Data)
    : DnsRecord(Name, TypeCode, Class, Ttl);
