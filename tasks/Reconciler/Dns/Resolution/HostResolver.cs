using Reconciler.Dns.Protocol;
using Reconciler.Dns.Records;
using Reconciler.Dns.Transport;

namespace Reconciler.Dns.Resolution;

/// <summary>
/// Resolves a host's A or AAAA records at one server, following CNAMEs: first those the server put in its
/// answer, then, when it stopped at a CNAME whose target it does not serve (an authoritative server does),
/// by asking again for the target. The chain is bounded and a loop ends it. Each target is asked exactly as the
/// answer spelt its labels (README "DNS"); a host that cannot be asked at all fails alone, as <see cref="DnsOutcome.Malformed"/>.
/// </summary>
public sealed class HostResolver(DnsLookupClient client, TimeProvider time)
{
    public const int MaxChainLength = 8;

    public async Task<HostLookup> ResolveAsync(NameServer server, string host, RecordType type, CancellationToken cancellationToken = default)
    {
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        // Most hosts have no CNAME: the chain and the loop check are made only for those that do.
        List<CnameLink>? chain = null;
        HashSet<DnsName>? seen = null;
        if (!DnsName.TryParse(host, out var name, out var unaskable))
            return Done(DnsOutcome.Malformed, [], $"'{host}' cannot be asked as a DNS name: {unaskable}");
        while (true)
        {
            var response = await client.QueryAsync(server, new DnsQuestion(name, type), cancellationToken).ConfigureAwait(false);
            if (response.Outcome is not DnsOutcome.Answer)
                return Done(response.Outcome, [], response.Error);

            var answers = response.Message!.Answers;
            // Follow the chain as the answer section lays it out, whatever the record order.
            while (CnameOf(answers, name) is { } cname)
            {
                (chain ??= []).Add(new CnameLink(cname.Name, cname.Target, cname.Ttl));
                seen ??= [name];
                if (!seen.Add(cname.Target))
                    return Done(DnsOutcome.Malformed, [], $"CNAME loop at {cname.Target}");
                if (chain.Count > MaxChainLength)
                    return Done(DnsOutcome.Malformed, [], $"CNAME chain longer than {MaxChainLength}");
                name = cname.Target;
            }

            var addresses = AddressesOf(answers, name, type);
            if (addresses.Count > 0)
                return Done(DnsOutcome.Answer, addresses, response.Error);
            if (chain is null)
                return Done(DnsOutcome.NoData, [], response.Error);
            // The server stopped at a CNAME: ask it for the target ourselves.
        }

        HostLookup Done(DnsOutcome outcome, IReadOnlyList<ResolvedAddress> addresses, string? error) =>
            new(host, type, server, outcome, chain ?? (IReadOnlyList<CnameLink>)[], addresses, at, time.GetElapsedTime(started), error);
    }

    private static NameRecord? CnameOf(IReadOnlyList<DnsRecord> answers, DnsName name)
    {
        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i] is NameRecord { Type: RecordType.CNAME } cname && cname.Name.Equals(name))
                return cname;
        }
        return null;
    }

    private static List<ResolvedAddress> AddressesOf(IReadOnlyList<DnsRecord> answers, DnsName name, RecordType type)
    {
        var addresses = new List<ResolvedAddress>(answers.Count);
        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i] is AddressRecord address && address.TypeCode == (ushort)type && address.Name.Equals(name))
                addresses.Add(new ResolvedAddress(address.Address, address.Ttl));
        }
        return addresses;
    }
}
