// Reconciler's entry point: `dotnet cake [--target=Plan] [--policies=DIR] …` (see README.md).
//
// The work is done by the C# library in tasks/; the task graph is build/reconciler.cake, which #r's that
// library. A script cannot #r an assembly that does not exist yet, so this one builds the library (only when
// its sources changed) and then runs the task graph with the same arguments, exiting with its exit code.
#load "build/bootstrap.cake"

Environment.Exit(Bootstrap.BuildLibraryAndRunTasks(Context));
