namespace Reconciler.Diagnostics;

/// <summary>Where the library speaks to the person running it; the Cake script forwards it to Cake's log.</summary>
public interface IRunLog
{
    void Information(string message);
    void Warning(string message);
    void Error(string message);
    void Verbose(string message);
}
