using Reconciler.Diagnostics;
using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;
using Reconciler.Policies.Model;

namespace Reconciler.Observe;

/// <summary>
/// A run's DNS: the replay of <c>--observations</c>, or the name servers it asks (<c>--nameservers</c>, and resolv.conf's
/// when it says <c>system</c> or nothing), with the pacing said aloud before a long observation.
/// </summary>
public sealed class RunDns(ObserveSettings settings, IRunLog log)
{
    /// <summary>Every dependency host at every server (or the replay); the notes say what the servers' list skipped.</summary>
    /// <param name="rotating">Hosts the memory says rotate: they are sampled more (README, "Rotating pools").</param>
    public async Task<(ObservationSet Observations, IReadOnlyList<string> Notes)> ObserveAsync(PolicySet policies, IReadOnlySet<string> rotating, CancellationToken cancellationToken)
    {
        if (settings.Replay is { } replay)
            return (Replayed(replay), []);

        var (servers, transport, notes) = await NameServersAsync(cancellationToken).ConfigureAwait(false);
        using var client = new DnsLookupClient(transport);
        var observer = new DnsObserver(new HostResolver(client, TimeProvider.System), TimeProvider.System);
        var hosts = policies.Dependencies.Sum(d => d.Hosts.Count);
        var pacing = DnsPacing.Of(hosts, policies.Settings.Samples, policies.Settings.DnsLookupsPerSecond);
        if (pacing.Expected >= DnsPacing.WorthSayingBefore)
            log.Information($"DNS: {pacing.Describe(servers.Count)}; expect about {DnsPacing.Format(pacing.Expected)}");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var observations = await observer.ObserveAsync(policies, servers, settings.Now, rotating, cancellationToken).ConfigureAwait(false);
        var failed = observations.Observations.Count(o => !o.Succeeded);
        log.Information($"DNS: {observations.Observations.Count:N0} lookups of {hosts:N0} hosts at {string.Join(", ", servers)} in {DnsPacing.Format(started.Elapsed)}, paced at {pacing.PerSecond:N0}/s per server (settings.dns_lookups_per_second); {failed:N0} failed");
        return (observations, notes);
    }

    /// <summary>A host's A records at the run's first name server, for what the probes need beyond the dependencies' hosts.</summary>
    public async Task<IReadOnlyList<System.Net.IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var (servers, transport, _) = await NameServersAsync(cancellationToken).ConfigureAwait(false);
        using var client = new DnsLookupClient(transport);
        var lookup = await new HostResolver(client, TimeProvider.System).ResolveAsync(servers[0], host, Dns.Protocol.RecordType.A, cancellationToken).ConfigureAwait(false);
        return [.. lookup.Addresses.Select(a => a.Address)];
    }

    private ObservationSet Replayed(string replay)
    {
        try
        {
            // Read at once, not awaited: an awaited read's completion runs the rest of the run inside its own frame,
            // which holds the bytes read (8 MB for 10,000 dependencies) until the run next waits for something.
            var replayed = ObservationSet.FromJson(File.ReadAllBytes(replay));
            log.Information($"replaying {replayed.Observations.Count} observations from {replay} (no network)");
            return replayed;
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            throw ReconcilerException.InvalidArgument("observations", $"cannot replay '{replay}': {e.Message}");
        }
    }

    private async Task<(IReadOnlyList<NameServer> Servers, DnsTransportOptions Transport, IReadOnlyList<string> Notes)> NameServersAsync(CancellationToken cancellationToken)
    {
        if (!settings.SystemNameServers)
            return (settings.NameServers, DnsTransportOptions.Default, []);
        var system = ResolvConf.Parse(File.Exists(ResolvConf.SystemPath) ? await File.ReadAllTextAsync(ResolvConf.SystemPath, cancellationToken).ConfigureAwait(false) : "");
        IReadOnlyList<NameServer> servers = [.. settings.NameServers, .. system.Servers];
        if (servers.Count == 0)
            throw new ReconcilerException(ExitCodes.InvalidInput, $"no name servers: give --nameservers=IP[:PORT], or list some in {ResolvConf.SystemPath}");
        // resolv.conf's timeout and attempts are the system's; they apply when its servers are asked.
        return (servers, system.Options, [.. system.Skipped.Select(skipped => $"{ResolvConf.SystemPath}: name server {skipped} was skipped (a link-local address with a zone cannot be used here)")]);
    }
}
