using System.Diagnostics;
using System.Globalization;

namespace Reconciler.Diagnostics;

/// <summary>
/// Times the stages of a run and the memory each one peaked at, logged at verbose level (Cake's
/// <c>--verbosity=verbose</c>): what bench/estate.sh reads to see which stage grows faster than the estate.
/// </summary>
/// <remarks>
/// Peak memory per stage is the process's peak resident set (VmHWM), reset at each stage's start through
/// /proc/self/clear_refs where Linux offers it; elsewhere it is the peak since the process started.
/// </remarks>
internal sealed class StageClock
{
    private const string ClearRefs = "/proc/self/clear_refs";
    private readonly IRunLog _log;
    private long _started;

    public StageClock(IRunLog log)
    {
        _log = log;
        Restart();
    }

    /// <summary>Logs the stage that ends now and starts the next.</summary>
    public void Lap(string stage)
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        using var process = Process.GetCurrentProcess();
        _log.Verbose(string.Create(CultureInfo.InvariantCulture,
            $"stage {stage}: {elapsed.TotalSeconds:0.000} s, peak RSS {process.PeakWorkingSet64 / (1024 * 1024)} MiB, managed heap {GC.GetTotalMemory(false) / (1024 * 1024)} MiB"));
        Restart();
    }

    private void Restart()
    {
        try
        {
            if (File.Exists(ClearRefs))
                File.WriteAllText(ClearRefs, "5");   // 5: reset the peak resident set to the current one
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not offered (a container without it): the peak is then the process's so far.
        }
        _started = Stopwatch.GetTimestamp();
    }
}
