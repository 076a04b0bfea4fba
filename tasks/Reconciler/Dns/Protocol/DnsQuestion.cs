namespace Reconciler.Dns.Protocol;

/// <summary>QNAME, QTYPE, QCLASS (RFC 1035 §4.1.2). Names compare case-insensitively (RFC 4343).</summary>
public sealed record DnsQuestion(string Name, RecordType Type, ushort Class = DnsQuestion.ClassIn)
{
    public const ushort ClassIn = 1;

    public bool Matches(DnsQuestion other) =>
        Type == other.Type && Class == other.Class && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{Name} {Type}";
}
