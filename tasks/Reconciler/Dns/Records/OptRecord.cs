using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Records;

/// <summary>
/// EDNS(0) OPT pseudo-record (RFC 6891 §6.1.2): CLASS is the sender's UDP payload size; TTL holds the extended
/// RCODE (8 bits), VERSION (8) and flags (16, DO first). Options are kept as raw bytes.
/// </summary>
public sealed record OptRecord(ushort UdpPayloadSize, byte ExtendedResponseCode, byte Version, ushort Flags, byte[] Options)
    : DnsRecord(DnsName.Root, (ushort)Protocol.RecordType.OPT, UdpPayloadSize, ((uint)ExtendedResponseCode << 24) | ((uint)Version << 16) | Flags);
