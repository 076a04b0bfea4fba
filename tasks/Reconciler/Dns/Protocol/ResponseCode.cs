namespace Reconciler.Dns.Protocol;

/// <summary>RCODE (RFC 1035 §4.1.1; extended by EDNS, RFC 6891 §6.1.3).</summary>
public enum ResponseCode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
}
