using System.IO;
using System.Linq;

// Builds tasks/Reconciler when a source is newer than the last build, then runs the task graph in
// build/reconciler.cake with the caller's own arguments (including Cake's --tree, --description, --verbosity).
public static class Bootstrap
{
    private const string Project = "tasks/Reconciler/Reconciler.csproj";
    private const string Stamp = "tasks/Reconciler/bin/Release/build.stamp";
    private const string TaskGraph = "build/reconciler.cake";
    public const string CallerDirectoryVariable = "RECONCILER_CALLER_DIRECTORY";

    public static int BuildLibraryAndRunTasks(ICakeContext context)
    {
        var rebuilt = false;
        if (LibraryIsStale())
        {
            context.Information("Building tasks/Reconciler (its sources changed)...");
            // The build's own summary is kept off the screen (a first run's screen is for the run); a failed build shows all.
            context.DotNetBuild(Project, new DotNetBuildSettings
            {
                Configuration = "Release",
                NoLogo = true,
                Verbosity = DotNetVerbosity.Quiet,
                SetupProcessSettings = process => process.RedirectStandardOutput = true,
                PostAction = process =>
                {
                    if (process.GetExitCode() != 0)
                        foreach (var line in process.GetStandardOutput())
                            context.Error("{0}", line);
                },
            });
            System.IO.File.WriteAllText(Stamp, DateTime.UtcNow.ToString("O"));
            rebuilt = true;
        }

        RemoveTruncatedScriptCache();
        var exitCode = 0;
        context.CakeExecuteScript(TaskGraph, new CakeSettings
        {
            ArgumentCustomization = arguments =>
            {
                foreach (var argument in CallersArguments())
                    arguments.Append(argument.Any(char.IsWhiteSpace) ? "\"" + argument + "\"" : argument);
                // The compiled task graph is cached by its text; a rebuilt library may have changed under it.
                return rebuilt ? arguments.Append("--invalidate-script-cache") : arguments;
            },
            // Cake runs a script in the script's folder; relative --policies and --out mean the caller's.
            EnvironmentVariables = new Dictionary<string, string>
            {
                [CallerDirectoryVariable] = Environment.CurrentDirectory,
                // cake.config is read from the script's folder, which for the task graph is build/.
                ["CAKE_SETTINGS_ENABLESCRIPTCACHE"] = "true",
                ["CAKE_PATHS_CACHE"] = System.IO.Path.GetFullPath(".cake/cache"),
                // A run lasts seconds: too short for dynamic PGO to repay its instrumented tier (bench/dns.sh).
                ["DOTNET_TieredPGO"] = "0",
            },
            HandleExitCode = code => { exitCode = code; return true; },
        });
        return exitCode;
    }

    // A run killed while Cake wrote its compiled script leaves an empty file that every later run loads and fails on.
    private static void RemoveTruncatedScriptCache()
    {
        var cache = System.IO.Path.GetFullPath(".cake/cache");
        if (!System.IO.Directory.Exists(cache))
            return;
        foreach (var file in System.IO.Directory.EnumerateFiles(cache, "*.dll").Where(f => new System.IO.FileInfo(f).Length == 0))
            System.IO.File.Delete(file);
    }

    private static bool LibraryIsStale()
    {
        if (!System.IO.File.Exists(Stamp))
            return true;
        var built = System.IO.File.GetLastWriteTimeUtc(Stamp);
        var sources = System.IO.Directory.EnumerateFiles("tasks", "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs") || f.EndsWith(".csproj") || f.EndsWith(".json") || f.EndsWith(".tsv") || f.EndsWith(".dat"))
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/"))
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props" });
        return sources.Any(f => System.IO.File.GetLastWriteTimeUtc(f) > built);
    }

    // Cake consumes its own options (--tree, --verbosity…) before the script sees Arguments, so take the
    // command line as typed, less the Cake assembly and this script's own path.
    private static IEnumerable<string> CallersArguments() =>
        Environment.GetCommandLineArgs().Skip(1).Where(a => !a.EndsWith(".cake", StringComparison.OrdinalIgnoreCase));
}
