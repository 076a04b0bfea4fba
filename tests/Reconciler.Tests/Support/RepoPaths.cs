namespace Reconciler.Tests.Support;

/// <summary>Where the repository's own files are, found from the test assembly's folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Policies => Path.Combine(Root, "policies");

    public static string Corpus(params string[] parts) =>
        Path.Combine([Path.Combine(Root, "tests", "Reconciler.Tests", "Corpus"), .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Reconciler.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Reconciler.sln not found above " + AppContext.BaseDirectory);
    }
}
