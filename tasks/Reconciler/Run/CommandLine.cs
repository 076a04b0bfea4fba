using Reconciler.Diagnostics;

namespace Reconciler.Run;

/// <summary>
/// <c>dotnet cake [--target=Plan] [--name=value …]</c> as the task graph hands it over: the run it asks for, and how the
/// run ends. What the script would otherwise decide itself lives here, so that build/*.cake only declares tasks.
/// </summary>
public static class CommandLine
{
    /// <summary>
    /// The run the command line asks for, with every argument checked (exit 2) before any target runs. Null for
    /// <c>--target=Help</c>, which runs nothing; its arguments' names are still checked, so a misspelt one is told.
    /// </summary>
    /// <param name="arguments">Each <c>--name</c> with its values, as Cake holds them; a name without a value is an empty value.</param>
    /// <param name="environment">An environment variable, or null: where GITHUB_REPOSITORY, GITHUB_ACTIONS and INFLUX_TOKEN come from.</param>
    /// <param name="host">Cake's log and GitHub Actions commands; off GitHub Actions the run uses only its log (<see cref="RunHost.For"/>).</param>
    public static ReconcilerRun? RunFor(string target, IEnumerable<KeyValuePair<string, ICollection<string>>> arguments, Func<string, string?> environment, DateTimeOffset clock, IRunHost host)
    {
        var given = arguments.GroupBy(a => a.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.SelectMany(a => a.Value).ToList(), StringComparer.OrdinalIgnoreCase);
        RunArguments.CheckNames(given.Select(a => new KeyValuePair<string, int>(a.Key, a.Value.Count)));
        if (string.Equals(target, "Help", StringComparison.OrdinalIgnoreCase))
            return null;
        var options = RunOptions.Parse(target, name => given.TryGetValue(name, out var values) ? values.LastOrDefault() ?? "" : null, environment, clock);
        var run = new ReconcilerRun(options, RunHost.For(host, environment));
        run.UseInfluxToken(environment("INFLUX_TOKEN"));
        run.CheckArguments();
        return run;
    }

    /// <summary>
    /// Runs the target and ends with one line that says the exit code and why (<c>exit 1: 3 findings at or above high</c>):
    /// Cake's table above it says every task succeeded whatever the findings. An exception that stopped the run is its
    /// code and its message (the whole of it at verbose level).
    /// </summary>
    /// <param name="targets">The task graph's targets: any other name is exit 2 before anything runs.</param>
    /// <param name="runTarget">Cake's RunTarget.</param>
    /// <param name="run">The run the target made (null for Help, or when setting it up failed).</param>
    /// <returns>The process's exit code.</returns>
    public static int RunTarget(string target, IReadOnlyCollection<string> targets, Action<string> runTarget, Func<ReconcilerRun?> run, IRunLog log)
    {
        ExitDecision exit;
        try
        {
            if (!targets.Contains(target, StringComparer.OrdinalIgnoreCase))
                throw ReconcilerException.InvalidArgument("target", $"'{target}' is not a target; use one of {string.Join(", ", targets)}");
            runTarget(target);
            exit = run()?.Exit ?? ExitDecision.Done;
        }
        catch (Exception e)
        {
            exit = ExitDecision.Of(e);
            log.Error(exit.Reason);
            // One line, like every log line: the message may hold data, so its line breaks show as \u000A.
            log.Verbose(e.ToString());
        }
        if (exit.Code == ExitCodes.Ok)
            log.Information($"exit {exit.Code}: {exit.Reason}");
        else
            log.Warning($"exit {exit.Code}: {exit.Reason}");
        return exit.Code;
    }
}
