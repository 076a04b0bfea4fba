using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Records;

/// <summary>TXT (RFC 1035 §3.3.14): one or more character-strings, each a length byte and that many bytes.</summary>
public sealed record TxtRecord(DnsName Name, ushort Class, uint Ttl, IReadOnlyList<string> Texts)
    : DnsRecord(Name, (ushort)Protocol.RecordType.TXT, Class, Ttl);
