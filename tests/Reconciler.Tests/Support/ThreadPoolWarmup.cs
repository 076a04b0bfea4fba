using System.Runtime.CompilerServices;

namespace Reconciler.Tests.Support;

internal static class ThreadPoolWarmup
{
    // On a 2-core machine the pool starts with 2 threads, and the test host blocks some of them while it
    // starts. Continuations of socket I/O then wait for the pool to grow (~0.5 s a thread), which turns a
    // 300 ms DNS timeout test into a false failure. Starting with more threads removes that wait.
    [ModuleInitializer]
    internal static void StartWithEnoughThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
