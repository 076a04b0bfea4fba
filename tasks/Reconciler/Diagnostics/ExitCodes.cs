namespace Reconciler.Diagnostics;

/// <summary>The exit codes of README "Arguments".</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int FindingsAtOrAboveFailOn = 1;
    public const int InvalidInput = 2;
    public const int RunFailed = 3;

    /// <summary>
    /// The exit code for an exception that ended a run: ours carry theirs; anything else means the run itself
    /// failed (3). Cake and reflection wrap exceptions, so look inside the wrappers.
    /// </summary>
    public static int For(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is ReconcilerException reconciler)
                return reconciler.ExitCode;
            if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
                return For(aggregate.InnerExceptions[0]);
        }
        return RunFailed;
    }

    /// <summary>One line on why the run ended, taken from inside Cake's and reflection's wrappers.</summary>
    public static string Describe(Exception exception)
    {
        var e = exception;
        while (e is not ReconcilerException && e.InnerException is not null)
            e = e.InnerException;
        return e is ReconcilerException ? e.Message : $"the run failed: {e.GetType().Name}: {e.Message} (--verbosity=diagnostic shows where)";
    }
}
