using System.Globalization;

namespace Reconciler.Observe;

/// <summary>
/// How long observing takes at the configured pace (<c>settings.dns_lookups_per_second</c> lookups started per second
/// at each server, 500 by default: polite to shared resolvers), so that a large estate says why it is slow.
/// </summary>
public readonly record struct DnsPacing(int Hosts, int Samples, int PerSecond)
{
    /// <summary>A run expected to take this long says so before it starts.</summary>
    public static readonly TimeSpan WorthSayingBefore = TimeSpan.FromSeconds(5);

    public static DnsPacing Of(int hosts, int samples, int perSecond) => new(hosts, samples, Math.Max(1, perSecond));

    /// <summary>An A and an AAAA lookup per host and sample, paced at each server; the servers are asked side by side.</summary>
    public TimeSpan Expected => TimeSpan.FromSeconds(2.0 * Hosts * Samples / PerSecond);

    public string Describe(int servers) =>
        $"{Hosts:N0} hosts × {Samples} samples × A and AAAA, paced at {PerSecond:N0} lookups/s per server (settings.dns_lookups_per_second)";

    public static string Format(TimeSpan duration) =>
        duration < TimeSpan.FromSeconds(1) ? $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
        : duration < TimeSpan.FromMinutes(2) ? $"{duration.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s"
        : $"{duration.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min";
}
