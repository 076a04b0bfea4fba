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

    /// <summary>
    /// As many workers as lookups may be in flight, each taking the next lookup when its last one ends. A lookup
    /// that ends on the receiving thread starts the next one there: no semaphore, no thread hop between them.
    /// </summary>
    private async Task<HostLookup[]> ResolveAtAsync(NameServer server, IReadOnlyList<string> hosts, CancellationToken cancellationToken)
    {
        var types = options.Types;
        var perSample = hosts.Count * types.Count;
        var results = new HostLookup[perSample * Math.Max(1, options.Samples)];
        var pacer = new Pacer(options.LookupsPerSecondPerServer, time);
        var next = -1;
        var workers = new Task[Math.Min(Math.Max(1, options.MaxInFlightPerServer), results.Length)];
        for (var w = 0; w < workers.Length; w++)
            workers[w] = Work();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return results;

        async Task Work()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= results.Length)
                    return;
                await pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
                var within = index % perSample;
                results[index] = await resolver.ResolveAsync(server, hosts[within / types.Count], types[within % types.Count], cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
