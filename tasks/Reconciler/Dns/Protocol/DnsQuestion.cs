namespace Reconciler.Dns.Protocol;

/// <summary>QNAME, QTYPE, QCLASS (RFC 1035 §4.1.2). Names compare case-insensitively (RFC 4343).</summary>
public sealed record DnsQuestion(DnsName Name, RecordType Type, ushort Class = DnsQuestion.ClassIn)
{
    public const ushort ClassIn = 1;

    /// <summary>A question for a name in its text form (a host of the policies).</summary>
    /// <exception cref="ArgumentException">The text names nothing DNS can ask.</exception>
    public DnsQuestion(string name, RecordType type, ushort @class = ClassIn)
        : this(DnsName.Parse(name), type, @class)
    {
    }

    public bool Matches(DnsQuestion other) => Type == other.Type && Class == other.Class && Name.Equals(other.Name);

    public override string ToString() => $"{Name} {Type}";
}
