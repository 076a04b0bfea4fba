namespace Reconciler.Dns.Protocol;

/// <summary>The record types Reconciler asks for or must understand (RFC 1035 §3.2.2, RFC 3596, RFC 6891).</summary>
public enum RecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    TXT = 16,
    AAAA = 28,
    OPT = 41,
}
