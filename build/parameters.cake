using Reconciler.Run;
using Reconciler.Review;
using Cake.Common.Build.GitHubActions.Data;

// The one typed state object of the task graph: the run the command line asks for.
public sealed class BuildParameters
{
    public BuildParameters(ICakeContext context, string target, IRunHost host)
    {
        // build.cake passes the folder `dotnet cake` was typed in; run directly, this script's parent is the root.
        var caller = Environment.GetEnvironmentVariable("RECONCILER_CALLER_DIRECTORY")
            ?? context.Environment.WorkingDirectory.Combine("..").Collapse().FullPath;
        Environment.CurrentDirectory = caller;
        context.Environment.WorkingDirectory = caller;
        Run = CommandLine.RunFor(target, context.Arguments.GetArguments(), Environment.GetEnvironmentVariable, DateTimeOffset.UtcNow, host);
    }

    /// <summary>Null for --target=Help, which runs nothing.</summary>
    public ReconcilerRun Run { get; }

    /// <summary>What the Plan task concluded, for the Reconcile task to publish.</summary>
    public PlanOutcome Planned { get; set; }
}

// What the library shows, through Cake: its log (colours, --verbosity), and GitHub Actions' step summary and
// annotations (the library calls those only on GitHub Actions). Messages are data, never format strings.
public sealed class CakeRunHost : IRunHost
{
    private readonly ICakeContext _context;
    public CakeRunHost(ICakeContext context) => _context = context;
    public void Information(string message) => _context.Log.Information("{0}", message);
    public void Warning(string message) => _context.Log.Warning("{0}", message);
    public void Error(string message) => _context.Log.Error("{0}", message);
    public void Verbose(string message) => _context.Log.Verbose("{0}", message);
    public void SetStepSummary(string markdown) => _context.GitHubActions().Commands.SetStepSummary(markdown);
    public void Error(Annotation a) => _context.GitHubActions().Commands.Error(a.Message, At(a));
    public void Warning(Annotation a) => _context.GitHubActions().Commands.Warning(a.Message, At(a));
    private static GitHubActionsAnnotation At(Annotation a) => new() { File = a.File, StartLine = a.Line, StartColumn = a.Column, Title = a.Title };
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
