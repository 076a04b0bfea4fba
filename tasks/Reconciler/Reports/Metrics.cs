using Reconciler.Policies.Validation;
using System.Globalization;
using System.Text;
using Reconciler.Findings;
using Reconciler.Observe;

namespace Reconciler.Reports;

/// <summary><c>metrics.prom</c>: the run in Prometheus text exposition format, for a node exporter's textfile collector.</summary>
public static class Metrics
{
    public static string Prometheus(Report report, ObservationSet observations, IReadOnlyList<ProbeSample>? probes = null)
    {
        var text = new StringBuilder();
        void Help(string name, string type, string help) =>
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

        Help("reconciler_findings", "gauge", "Findings of the last run, by kind and severity.");
        foreach (var group in report.Findings.GroupBy(f => (Kind: f.Kind.ToWire(), Severity: f.Severity.ToWire())).OrderBy(g => g.Key))
            text.Append($"reconciler_findings{{kind=\"{group.Key.Kind}\",severity=\"{group.Key.Severity}\"}} {group.Count()}\n");

        Help("reconciler_dns_lookups", "gauge", "DNS lookups of the last run, by outcome.");
        foreach (var group in observations.Observations.GroupBy(o => o.Outcome.ToString().ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
            text.Append($"reconciler_dns_lookups{{outcome=\"{group.Key}\"}} {group.Count()}\n");

        Help("reconciler_hosts_resolved", "gauge", "Hosts that resolved at every server in the last run.");
        var hosts = observations.Observations.GroupBy(o => o.Host, StringComparer.OrdinalIgnoreCase).ToList();
        text.Append($"reconciler_hosts_resolved {hosts.Count(h => h.All(o => o.Succeeded))}\n");
        Help("reconciler_hosts", "gauge", "Hosts asked about in the last run.");
        text.Append($"reconciler_hosts {hosts.Count}\n");

        Help("reconciler_dns_lookup_seconds", "summary", "Time of one host lookup, CNAME chase included.");
        var seconds = observations.Observations.Select(o => o.ElapsedMs / 1000).Order().ToList();
        foreach (var quantile in new[] { 0.5, 0.9, 0.99 })
        {
            var value = seconds.Count == 0 ? 0 : seconds[(int)Math.Min(seconds.Count - 1, Math.Floor(quantile * seconds.Count))];
            text.Append($"reconciler_dns_lookup_seconds{{quantile=\"{Number(quantile)}\"}} {Number(value)}\n");
        }
        text.Append($"reconciler_dns_lookup_seconds_sum {Number(seconds.Sum())}\n");
        text.Append($"reconciler_dns_lookup_seconds_count {seconds.Count}\n");

        WriteProbes(text, probes ?? [], Help, Number);

        Help("reconciler_run_timestamp_seconds", "gauge", "When the run happened (its --now).");
        text.Append($"reconciler_run_timestamp_seconds {report.Run.Now.ToUnixTimeSeconds()}\n");
        return text.ToString();
    }

    /// <summary>Per probed address, in the blackbox exporter's shape (probe_duration_seconds, probe_success, probe_http_status_code).</summary>
    private static void WriteProbes(StringBuilder text, IReadOnlyList<ProbeSample> probes, Action<string, string, string> help, Func<double, string> number)
    {
        if (probes.Count == 0)
            return;
        var ordered = probes.OrderBy(p => p.Dependency, StringComparer.Ordinal).ThenBy(p => p.Address, AddressOrder.Instance).ToList();
        string Labels(ProbeSample p) => $"{{dependency=\"{Label(p.Dependency)}\",url=\"{Label(p.Url.AbsoluteUri)}\",address=\"{Label(p.Address)}\"}}";
        help("reconciler_probe_duration_seconds", "gauge", "How long the probe of one address took (blackbox exporter's probe_duration_seconds).");
        foreach (var probe in ordered)
            text.Append("reconciler_probe_duration_seconds").Append(Labels(probe)).Append(' ').Append(number(probe.Elapsed.TotalSeconds)).Append('\n');
        help("reconciler_probe_up", "gauge", "1 when the probe got an accepted answer, 0 when it failed or was refused (blackbox exporter's probe_success).");
        foreach (var probe in ordered)
            text.Append("reconciler_probe_up").Append(Labels(probe)).Append(' ').Append(probe.Up ? '1' : '0').Append('\n');
        help("reconciler_probe_http_status_code", "gauge", "The HTTP status the probe got, 0 when none (blackbox exporter's probe_http_status_code).");
        foreach (var probe in ordered)
            text.Append("reconciler_probe_http_status_code").Append(Labels(probe)).Append(' ').Append(probe.Status ?? 0).Append('\n');
    }

    /// <summary>A label value as the text format escapes it: backslash, double quote and line feed.</summary>
    internal static string Label(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
