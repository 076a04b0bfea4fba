using Reconciler.Policies.Validation;
using Reconciler.Findings;
using Reconciler.Observe;

namespace Reconciler.Reports;

/// <summary>
/// <c>metrics.influx</c>: the run in InfluxDB line protocol, every point at the run's time (<c>--now</c>), for a
/// POST to <c>/write</c> or <c>/api/v2/write</c>. Each point's tags are unique within the run, since InfluxDB keeps
/// one point per measurement, tag set and time: findings by kind and severity, lookups by outcome, one point per
/// host and server (latency), one per probed address (latency, status), and the run's totals.
/// </summary>
public static class InfluxMetrics
{
    public static string Write(Report report, ObservationSet observations, IReadOnlyList<ProbeSample> probes)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        WriteTo(text, report, observations, probes);
        return text.ToString();
    }

    /// <summary>Writes each point as it is made: a point per host is tens of thousands of lines.</summary>
    public static void WriteTo(TextWriter writer, Report report, ObservationSet observations, IReadOnlyList<ProbeSample> probes)
    {
        var at = report.Run.Now;
        // Shards of one run share its time: without their own tag, one shard's totals would overwrite another's.
        var shard = report.Run.Shard == "1/1" ? null : report.Run.Shard;
        var lines = new LineSink(writer);

        var bySeverity = report.Findings.GroupBy(f => f.Severity).ToDictionary(g => g.Key, g => g.Count());
        var run = new LinePoint("reconciler_run").Tag("target", report.Run.Target).Tag("shard", shard)
            .Field("findings", report.Findings.Count);
        foreach (var severity in Enum.GetValues<Severity>())
            run.Field(severity.ToWire(), bySeverity.GetValueOrDefault(severity));
        var hosts = observations.Observations.GroupBy(o => o.Host, StringComparer.OrdinalIgnoreCase).ToList();
        run.Field("hosts", hosts.Count).Field("hosts_resolved", hosts.Count(h => h.All(o => o.Succeeded)))
            .Field("probes", probes.Count).Field("probes_up", probes.Count(p => p.Up));
        lines.Add(run.Write(at));

        foreach (var group in report.Findings.GroupBy(f => (Kind: f.Kind.ToWire(), Severity: f.Severity.ToWire())).OrderBy(g => g.Key))
            lines.Add(new LinePoint("reconciler_findings").Tag("shard", shard).Tag("kind", group.Key.Kind).Tag("severity", group.Key.Severity).Field("count", group.Count()).Write(at));

        foreach (var group in observations.Observations.GroupBy(o => o.Outcome.ToString().ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
            lines.Add(new LinePoint("reconciler_dns_lookups").Tag("shard", shard).Tag("outcome", group.Key).Field("count", group.Count()).Write(at));

        foreach (var host in observations.Observations.GroupBy(o => (Host: o.Host.ToLowerInvariant(), o.Server)).OrderBy(g => g.Key.Host, StringComparer.Ordinal).ThenBy(g => g.Key.Server, StringComparer.Ordinal))
        {
            var addresses = host.SelectMany(o => o.Addresses).ToList();
            var point = new LinePoint("reconciler_dns_host").Tag("host", host.Key.Host).Tag("server", host.Key.Server)
                .Field("latency_ms", Math.Round(host.Average(o => o.ElapsedMs), 3))
                .Field("latency_max_ms", host.Max(o => o.ElapsedMs))
                .Field("lookups", host.Count())
                .Field("failed", host.Count(o => !o.Succeeded))
                .Field("resolved", host.All(o => o.Succeeded))
                .Field("addresses", addresses.Select(a => a.Address).Distinct(StringComparer.Ordinal).Count());
            if (addresses.Count > 0)
                point.Field("ttl_min", addresses.Min(a => (long)a.Ttl)).Field("ttl_max", addresses.Max(a => (long)a.Ttl));
            lines.Add(point.Write(at));
        }

        foreach (var probe in probes.OrderBy(p => p.Dependency, StringComparer.Ordinal).ThenBy(p => p.Address, AddressOrder.Instance))
        {
            var point = new LinePoint("reconciler_probe").Tag("dependency", probe.Dependency).Tag("host", probe.Url.Host).Tag("address", probe.Address)
                .Field("latency_ms", Math.Round(probe.Elapsed.TotalMilliseconds, 3))
                .Field("up", probe.Up)
                .Field("url", probe.Url.AbsoluteUri);
            if (probe.Status is { } status)
                point.Field("status", status);
            point.Field("failure", probe.Failure);
            lines.Add(point.Write(at));
        }
    }

    /// <summary>Points with no field are left out (line protocol needs one); each other ends with a line break.</summary>
    private sealed class LineSink(TextWriter writer)
    {
        public void Add(string? line)
        {
            if (line is null)
                return;
            writer.Write(line);
            writer.Write('\n');
        }
    }
}
