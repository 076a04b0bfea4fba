using Reconciler.Tests.Support;

namespace Reconciler.Tests.Escaping;

/// <summary>
/// What every log line must hold, whatever the data: one line (no line break of any kind, no other control or format
/// character but a tab), no workflow command (<c>::</c> after leading spaces, or the older <c>##[</c>); and the data
/// shows (its sentinel), so the line was not just emptied.
/// </summary>
internal static class LogInvariant
{
    public static void Holds(CollectingLog log, IReadOnlyList<string> hostile)
    {
        foreach (var line in log.Lines)
            IsOneSafeLine(line, "a log line");
        foreach (var text in hostile)
        {
            var sentinel = HostileText.SentinelOf(text);
            Assert.True(log.Lines.Any(l => l.Contains(sentinel, StringComparison.Ordinal)), $"the data {sentinel} is in no log line (seed {HostileText.Seed})");
        }
    }

    public static void IsOneSafeLine(string line, string what)
    {
        var bad = line.FirstOrDefault(c => c != '\t' && Reconciler.Diagnostics.ControlCharacters.IsForbidden(c));
        Assert.True(bad == default, $"{what} holds U+{(int)bad:X4} (seed {HostileText.Seed}): {line}");
        Assert.False(line.TrimStart().StartsWith("::", StringComparison.Ordinal), $"{what} is a workflow command (seed {HostileText.Seed}): {line}");
        Assert.DoesNotContain("##[", line, StringComparison.Ordinal);
    }
}
