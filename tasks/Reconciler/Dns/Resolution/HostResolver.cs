using Reconciler.Dns.Protocol;
using Reconciler.Dns.Records;
using Reconciler.Dns.Transport;

namespace Reconciler.Dns.Resolution;

/// <summary>
/// Resolves a host's A or AAAA records at one server, following CNAMEs: first those the server put in its
/// answer, then, when it stopped at a CNAME whose target it does not serve (an authoritative server does),
/// by asking again for the target. The chain is bounded and a loop ends it.
/// </summary>
public sealed class HostResolver(DnsLookupClient client, TimeProvider time)
{
    public const int MaxChainLength = 8;

    public async Task<HostLookup> ResolveAsync(NameServer server, string host, RecordType type, CancellationToken cancellationToken = default)
    {
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        var chain = new List<CnameLink>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { host };
        var name = host;
        while (true)
        {
            var response = await client.QueryAsync(server, new DnsQuestion(name, type), cancellationToken).ConfigureAwait(false);
            HostLookup Done(DnsOutcome outcome, IReadOnlyList<ResolvedAddress> addresses, string? error = null) =>
                new(host, type, server, outcome, chain, addresses, at, time.GetElapsedTime(started), error ?? response.Error);

            if (response.Outcome is not DnsOutcome.Answer)
                return Done(response.Outcome, []);

            var answers = response.Message!.Answers;
            // Follow the chain as the answer section lays it out, whatever the record order.
            while (answers.OfType<NameRecord>().FirstOrDefault(r => r.Type == RecordType.CNAME && Same(r.Name, name)) is { } cname)
            {
                chain.Add(new CnameLink(cname.Name, cname.Target, cname.Ttl));
                if (!seen.Add(cname.Target))
                    return Done(DnsOutcome.Malformed, [], $"CNAME loop at {cname.Target}");
                if (chain.Count > MaxChainLength)
                    return Done(DnsOutcome.Malformed, [], $"CNAME chain longer than {MaxChainLength}");
                name = cname.Target;
            }

            var addresses = answers.OfType<AddressRecord>()
                .Where(r => r.TypeCode == (ushort)type && Same(r.Name, name))
                .Select(r => new ResolvedAddress(r.Address, r.Ttl))
                .ToList();
            if (addresses.Count > 0)
                return Done(DnsOutcome.Answer, addresses);
            if (chain.Count == 0)
                return Done(DnsOutcome.NoData, []);
            // The server stopped at a CNAME: ask it for the target ourselves.
        }
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
