namespace Reconciler.Dns.Protocol;

/// <summary>
/// The 12-byte header (RFC 1035 §4.1.1):
/// <code>
/// ID (16) | QR(1) OPCODE(4) AA(1) TC(1) RD(1) | RA(1) Z(3) RCODE(4) | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT
/// </code>
/// </summary>
public readonly record struct DnsHeader(ushort Id, ushort Flags, ushort QuestionCount, ushort AnswerCount, ushort AuthorityCount, ushort AdditionalCount)
{
    public const int Size = 12;
    public const ushort QueryResponseFlag = 0x8000;
    public const ushort AuthoritativeFlag = 0x0400;
    public const ushort TruncatedFlag = 0x0200;
    public const ushort RecursionDesiredFlag = 0x0100;
    public const ushort RecursionAvailableFlag = 0x0080;

    public bool IsResponse => (Flags & QueryResponseFlag) != 0;
    public bool IsAuthoritative => (Flags & AuthoritativeFlag) != 0;
    public bool IsTruncated => (Flags & TruncatedFlag) != 0;
    public bool RecursionAvailable => (Flags & RecursionAvailableFlag) != 0;
    public int Opcode => (Flags >> 11) & 0xF;
    /// <summary>The low four bits only; EDNS extends it through the OPT record.</summary>
    public int ResponseCodeBits => Flags & 0xF;
}
