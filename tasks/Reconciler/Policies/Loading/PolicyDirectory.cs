using Reconciler.Diagnostics;

namespace Reconciler.Policies.Loading;

/// <summary>Finds and reads the policy files under <c>--policies</c>: every <c>*.yaml</c> and <c>*.yml</c> below it, through <see cref="PolicyFileGate"/>.</summary>
public static class PolicyDirectory
{
    /// <summary>Larger than any sane policy file; a bigger one is refused before YAML ever sees it.</summary>
    public const long MaxFileBytes = PolicyFileGate.MaxFileBytes;

    public static PolicyLoadResult Load(string directory, string? displayRoot = null)
    {
        if (!Directory.Exists(directory))
            throw ReconcilerException.InvalidArgument("policies", $"directory '{directory}' does not exist");
        var realRoot = PolicyFileGate.RealPath(directory, out var problem)
            ?? throw ReconcilerException.InvalidArgument("policies", $"'{directory}': {problem}");
        var files = PolicyFileGate.Find(directory);
        if (files.Count == 0)
            throw ReconcilerException.InvalidArgument("policies", $"no *.yaml or *.yml files under '{directory}'");

        var sources = new List<PolicySource>();
        var refused = new List<PolicyError>();
        var root = displayRoot ?? Directory.GetCurrentDirectory();
        var repository = RepositoryRoot(Path.GetFullPath(directory));
        foreach (var file in files)
        {
            var display = Display(file, root);
            if (!PolicyFileGate.TryRead(file, realRoot, display, out var text, out var error))
            {
                refused.Add(error!);
                continue;
            }
            var inRepository = repository is null ? null : Path.GetRelativePath(repository, file).Replace('\\', '/');
            sources.Add(new PolicySource(display, text, inRepository));
        }
        var result = PolicyParser.Parse(sources);
        return refused.Count == 0 ? result : new PolicyLoadResult(null, [.. refused, .. result.Errors]);
    }

    /// <summary>The nearest folder at or above <paramref name="directory"/> that is a git work tree (.git folder, or file for worktrees).</summary>
    public static string? RepositoryRoot(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var git = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(git) || File.Exists(git))
                return dir.FullName;
        }
        return null;
    }

    /// <summary>Relative to <paramref name="root"/> when the file is below it, so messages are short and clickable.</summary>
    public static string Display(string file, string root)
    {
        var relative = Path.GetRelativePath(root, file);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? file : relative.Replace('\\', '/');
    }
}
