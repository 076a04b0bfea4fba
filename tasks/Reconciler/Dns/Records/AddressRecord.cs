using System.Net;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Records;

/// <summary>
/// A (RFC 1035 §3.4.1: a 32-bit address) or AAAA (RFC 3596 §2.2: a 128-bit address); both answer
/// "which address", so they share one type.
/// </summary>
public sealed record AddressRecord(DnsName Name, ushort TypeCode, ushort Class, uint Ttl, IPAddress Address)
    : DnsRecord(Name, TypeCode, Class, Ttl);
