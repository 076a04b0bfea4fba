using System.Net;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Transport;

namespace Reconciler.Dns.Resolution;

/// <summary>One step of a CNAME chain: <c>Name</c> is an alias of <c>Target</c> for <c>Ttl</c> seconds.</summary>
public sealed record CnameLink(DnsName Name, DnsName Target, uint Ttl);

/// <summary>An address the host resolved to, and for how long the server said it holds.</summary>
public sealed record ResolvedAddress(IPAddress Address, uint Ttl);

/// <summary>
/// What one server says a host's addresses of one type are: the whole CNAME chain, each record's TTL, and how the
/// last query ended. A failure keeps what was learnt before it (the chain), never invents addresses.
/// </summary>
public sealed record HostLookup(
    string Host,
    RecordType Type,
    NameServer Server,
    DnsOutcome Outcome,
    IReadOnlyList<CnameLink> Chain,
    IReadOnlyList<ResolvedAddress> Addresses,
    DateTimeOffset At,
    TimeSpan Elapsed,
    string? Error = null)
{
    /// <summary>The name the addresses belong to, in its text form: the end of the chain.</summary>
    public string CanonicalName => Chain.Count == 0 ? Host : Chain[^1].Target.ToString();
}
