using Reconciler.Reports;

namespace Reconciler.Run;

/// <summary><c>--influx</c>: metrics into the InfluxDB people already run. A failed post is a warning and a note, never the exit code.</summary>
public sealed partial class ReconcilerRun
{
    private string? _influxToken;

    /// <summary>The credentials for <c>--influx</c>, from <c>INFLUX_TOKEN</c>: they go into the request header and nowhere else.</summary>
    public void UseInfluxToken(string? token) => _influxToken = string.IsNullOrEmpty(token) ? null : token;

    /// <summary>How long a post may take: monitoring must not hold up the run it reports on.</summary>
    public static TimeSpan InfluxTimeout { get; } = TimeSpan.FromSeconds(10);

    private async Task<Report> PostMetricsAsync(Report report, string lines, CancellationToken cancellationToken)
    {
        if (options.Influx is not { } endpoint)
            return report;
        using var http = new HttpClient { Timeout = InfluxTimeout };
        var failure = await endpoint.PostAsync(http, lines, _influxToken, cancellationToken).ConfigureAwait(false);
        if (failure is null)
        {
            log.Information($"posted {lines.Count(c => c == '\n')} points of metrics.influx to {endpoint}");
            return report;
        }
        var note = $"metrics were not posted to InfluxDB at {endpoint}: {failure} (they are in metrics.influx)";
        log.Warning(note);
        return report with { Notes = [.. report.Notes, note] };
    }
}
