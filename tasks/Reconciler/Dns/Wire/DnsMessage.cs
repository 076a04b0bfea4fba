using Reconciler.Dns.Protocol;
using Reconciler.Dns.Records;

namespace Reconciler.Dns.Wire;

/// <summary>A whole DNS message, decoded (RFC 1035 §4.1).</summary>
public sealed record DnsMessage(
    DnsHeader Header,
    IReadOnlyList<DnsQuestion> Questions,
    IReadOnlyList<DnsRecord> Answers,
    IReadOnlyList<DnsRecord> Authorities,
    IReadOnlyList<DnsRecord> Additionals)
{
    public OptRecord? Opt
    {
        get
        {
            for (var i = 0; i < Additionals.Count; i++)
            {
                if (Additionals[i] is OptRecord opt)
                    return opt;
            }
            return null;
        }
    }

    /// <summary>The full RCODE: the header's four bits plus the OPT record's upper eight (RFC 6891 §6.1.3).</summary>
    public ResponseCode ResponseCode => (ResponseCode)((Opt?.ExtendedResponseCode ?? 0) << 4 | Header.ResponseCodeBits);
}
