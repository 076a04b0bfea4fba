using Reconciler.Diagnostics;
using Reconciler.Run;

namespace Reconciler.Tests.Support;

/// <summary>The run's log, kept in memory for tests that drive <see cref="ReconcilerRun"/> without Cake.</summary>
internal sealed class CollectingLog : IRunLog
{
    public List<string> Lines { get; } = [];
    public void Information(string message) => Lines.Add(message);
    public void Warning(string message) => Lines.Add(message);
    public void Error(string message) => Lines.Add(message);
    public void Verbose(string message) => Lines.Add(message);
}
