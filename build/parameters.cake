using Reconciler.Diagnostics;
using Reconciler.Run;
using Reconciler.Reports;
using Reconciler.Review;
using Cake.Common.Build.GitHubActions.Data;

// The one typed state object of the task graph: the parsed arguments and the run they drive.
public sealed class BuildParameters
{
    public BuildParameters(ICakeContext context, string target)
    {
        // build.cake passes the folder `dotnet cake` was typed in; run directly, this script's parent is the root.
        var caller = Environment.GetEnvironmentVariable("RECONCILER_CALLER_DIRECTORY")
            ?? context.Environment.WorkingDirectory.Combine("..").Collapse().FullPath;
        Environment.CurrentDirectory = caller;
        context.Environment.WorkingDirectory = caller;
        var arguments = context.Arguments;
        RunArguments.CheckNames(arguments.GetArguments().Select(a => new KeyValuePair<string, int>(a.Key, a.Value.Count)));
        if (string.Equals(target, "Help", StringComparison.OrdinalIgnoreCase))
            return;
        var options = RunOptions.Parse(
            target,
            // Cake gives "--out" with no value as an argument without one: that is an empty value, not an absent one.
            name => arguments.HasArgument(name) ? arguments.GetArgument(name) ?? "" : null,
            Environment.GetEnvironmentVariable,
            DateTimeOffset.UtcNow);
        Run = new ReconcilerRun(options, new CakeRunLog(context.Log));
        Run.UseInfluxToken(Environment.GetEnvironmentVariable("INFLUX_TOKEN"));
        Run.CheckArguments();
        // Checked before anything is observed; the token goes from the environment to the client and nowhere else.
        if (string.Equals(target, "Reconcile", StringComparison.OrdinalIgnoreCase))
        {
            Run.ConnectToGitHub(Environment.GetEnvironmentVariable("GITHUB_TOKEN"));
            Run.CheckGitHubTokenAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>Null for --target=Help, which runs nothing.</summary>
    public ReconcilerRun Run { get; }
}

// The library's log, written through Cake's (colours, --verbosity). Messages are data, never format strings.
public sealed class CakeRunLog : IRunLog
{
    private readonly ICakeLog _log;
    public CakeRunLog(ICakeLog log) => _log = log;
    public void Information(string message) => _log.Information("{0}", message);
    public void Warning(string message) => _log.Warning("{0}", message);
    public void Error(string message) => _log.Error("{0}", message);
    public void Verbose(string message) => _log.Verbose("{0}", message);
}

// Cake loads a #r'd assembly but not the packages it references; they sit beside it (CopyLocalLockFileAssemblies).
public static class LibraryDependencies
{
    public static void LoadFromBesideTheLibrary(System.Reflection.Assembly library)
    {
        var folder = System.IO.Path.GetDirectoryName(library.Location);
        AppDomain.CurrentDomain.AssemblyResolve += (_, request) =>
        {
            var candidate = System.IO.Path.Combine(folder, new System.Reflection.AssemblyName(request.Name).Name + ".dll");
            return System.IO.File.Exists(candidate) ? System.Reflection.Assembly.LoadFrom(candidate) : null;
        };
    }
}
