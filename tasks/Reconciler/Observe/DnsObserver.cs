using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;
using Reconciler.Policies.Model;

namespace Reconciler.Observe;

/// <summary>
/// Asks every name server for every dependency host, <c>settings.samples</c> times, and keeps what each said. A host
/// whose pool rotates is asked up to <see cref="RotatingSamples"/> times, so that its pool is learnt and the proof
/// that an address left it comes in days, not months (README, "Rotating pools").
/// </summary>
public sealed class DnsObserver(HostResolver resolver, TimeProvider time)
{
    /// <summary>Samples per server per run of a host whose pool rotates (or <c>settings.samples</c>, when that is more).</summary>
    public const int RotatingSamples = 64;

    /// <param name="rotating">Hosts the memory says rotate (lower case); they are sampled up to <see cref="RotatingSamples"/> times.</param>
    public async Task<ObservationSet> ObserveAsync(PolicySet policies, IReadOnlyList<NameServer> servers, DateTimeOffset now, IReadOnlySet<string>? rotating = null, CancellationToken cancellationToken = default)
    {
        var hosts = policies.Dependencies.SelectMany(d => d.Hosts).Select(h => h.Value).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var lookups = await ResolveAsync(hosts, policies.Settings.Samples, policies, servers, cancellationToken).ConfigureAwait(false);
        var more = RotatingSamples - policies.Settings.Samples;
        var rotatingHosts = rotating is null || more <= 0 ? [] : hosts.Where(h => rotating.Contains(h.ToLowerInvariant())).ToList();
        if (rotatingHosts.Count > 0)
            lookups = [.. lookups, .. await ResolveAsync(rotatingHosts, more, policies, servers, cancellationToken).ConfigureAwait(false)];
        return new ObservationSet(now, [.. servers.Select(s => s.ToString())], [.. lookups.Select(Observation.From)]);
    }

    private Task<IReadOnlyList<HostLookup>> ResolveAsync(IReadOnlyList<string> hosts, int samples, PolicySet policies, IReadOnlyList<NameServer> servers, CancellationToken cancellationToken)
    {
        var bulk = new BulkResolver(resolver, time, new BulkResolverOptions { Samples = samples, LookupsPerSecondPerServer = policies.Settings.DnsLookupsPerSecond });
        return bulk.ResolveAsync(hosts, servers, cancellationToken);
    }
}
