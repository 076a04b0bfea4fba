using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;
using Reconciler.Policies.Model;

namespace Reconciler.Observe;

/// <summary>Asks every name server for every dependency host, <c>settings.samples</c> times, and keeps what each said.</summary>
public sealed class DnsObserver(HostResolver resolver, TimeProvider time)
{
    public async Task<ObservationSet> ObserveAsync(PolicySet policies, IReadOnlyList<NameServer> servers, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var hosts = policies.Dependencies.SelectMany(d => d.Hosts).Select(h => h.Value).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var bulk = new BulkResolver(resolver, time, new BulkResolverOptions { Samples = policies.Settings.Samples, LookupsPerSecondPerServer = policies.Settings.DnsLookupsPerSecond });
        var lookups = await bulk.ResolveAsync(hosts, servers, cancellationToken).ConfigureAwait(false);
        return new ObservationSet(now, [.. servers.Select(s => s.ToString())], [.. lookups.Select(Observation.From)]);
    }
}
