using System.Collections.Concurrent;
using System.Net;

namespace Reconciler.Dns.Resolution;

/// <summary>
/// A smoothed round-trip time per server (RFC 6298's 1/8 gain), to wait for a first attempt only as long as
/// that server usually takes: a datagram lost in a bulk run then costs a fraction of a second, not the whole
/// timeout. Retries still wait the full timeout, so a server that is merely slow is not given up on.
/// </summary>
internal sealed class RoundTripTimes
{
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<IPEndPoint, Estimate> _servers = new();

    public TimeSpan FirstAttemptTimeout(IPEndPoint server, TimeSpan timeout) =>
        _servers.TryGetValue(server, out var estimate)
            ? TimeSpan.FromTicks(Math.Clamp((estimate.Smoothed * 4) + Floor.Ticks / 2, Floor.Ticks, timeout.Ticks))
            : timeout;

    public void Observe(IPEndPoint server, TimeSpan rtt) => _servers.GetOrAdd(server, static (_, first) => new Estimate(first), rtt.Ticks).Add(rtt.Ticks);

    private sealed class Estimate(long first)
    {
        private long _smoothed = first;

        public long Smoothed => Interlocked.Read(ref _smoothed);

        // Lock-free and lossy under contention: an estimate, not a ledger.
        public void Add(long sample) => Interlocked.Exchange(ref _smoothed, Smoothed + ((sample - Smoothed) / 8));
    }
}
