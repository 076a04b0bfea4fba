using Reconciler.Dns.Protocol;
using Reconciler.Dns.Transport;
using Reconciler.Dns.Wire;

namespace Reconciler.Dns.Resolution;

/// <summary>One query to one server and how it ended, with what that server said.</summary>
public sealed record DnsResponse(
    NameServer Server,
    DnsQuestion Question,
    DnsOutcome Outcome,
    DnsMessage? Message,
    TimeSpan Elapsed,
    bool UsedTcp,
    string? Error = null);
