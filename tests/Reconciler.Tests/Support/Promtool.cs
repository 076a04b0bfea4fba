using System.Diagnostics;

namespace Reconciler.Tests.Support;

/// <summary>Prometheus' <c>promtool check metrics</c> (Debian's prometheus package): parses and lints text exposition format.</summary>
internal static class Promtool
{
    /// <returns>What promtool complained of; empty when the text is valid and lint-clean.</returns>
    public static async Task<string> CheckMetricsAsync(string metrics)
    {
        var start = new ProcessStartInfo(ExternalTool.Find("promtool", "prometheus"), "check metrics")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var said = (await stdout + await stderr).Trim();
        return process.ExitCode == 0 && said.Length == 0 ? "" : $"exit {process.ExitCode}: {said}";
    }
}
