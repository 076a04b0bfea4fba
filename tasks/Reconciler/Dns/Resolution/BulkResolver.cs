using Reconciler.Dns.Transport;

namespace Reconciler.Dns.Resolution;

/// <summary>
/// Resolves many hosts at several servers at once. Each server is its own vantage point with its own bound on
/// lookups in flight and its own pace; samples run as rounds, one after the other, so that a rotating pool
/// shows more of itself. Results come back in a stable order: server, sample, host, type.
/// </summary>
public sealed class BulkResolver(HostResolver resolver, TimeProvider time, BulkResolverOptions options)
{
    public async Task<IReadOnlyList<HostLookup>> ResolveAsync(IReadOnlyList<string> hosts, IReadOnlyList<NameServer> servers, CancellationToken cancellationToken = default)
    {
        var perServer = await Task.WhenAll(servers.Select(s => ResolveAtAsync(s, hosts, cancellationToken))).ConfigureAwait(false);
        return [.. perServer.SelectMany(r => r)];
    }

    private async Task<HostLookup[]> ResolveAtAsync(NameServer server, IReadOnlyList<string> hosts, CancellationToken cancellationToken)
    {
        var types = options.Types;
        var perSample = hosts.Count * types.Count;
        var results = new HostLookup[perSample * Math.Max(1, options.Samples)];
        using var gate = new SemaphoreSlim(Math.Max(1, options.MaxInFlightPerServer));
        var pacer = new Pacer(options.LookupsPerSecondPerServer, time);
        var running = new List<Task>(results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            await pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
            var index = i;
            var within = index % perSample;
            running.Add(Run(hosts[within / types.Count], types[within % types.Count], index));
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        return results;

        async Task Run(string host, Protocol.RecordType type, int index)
        {
            try
            {
                results[index] = await resolver.ResolveAsync(server, host, type, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
