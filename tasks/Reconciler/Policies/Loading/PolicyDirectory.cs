using Reconciler.Diagnostics;

namespace Reconciler.Policies.Loading;

/// <summary>Finds and reads the policy files under <c>--policies</c>: every <c>*.yaml</c> and <c>*.yml</c> below it.</summary>
public static class PolicyDirectory
{
    /// <summary>Larger than any sane policy file; a bigger one is refused before YAML ever sees it.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    public static PolicyLoadResult Load(string directory, string? displayRoot = null)
    {
        if (!Directory.Exists(directory))
            throw ReconcilerException.InvalidArgument("policies", $"directory '{directory}' does not exist");
        var files = Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFullPath)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
            throw ReconcilerException.InvalidArgument("policies", $"no *.yaml or *.yml files under '{directory}'");

        var sources = new List<PolicySource>();
        var refused = new List<PolicyError>();
        var root = displayRoot ?? Directory.GetCurrentDirectory();
        var repository = RepositoryRoot(Path.GetFullPath(directory));
        foreach (var file in files)
        {
            var display = Display(file, root);
            var length = new FileInfo(file).Length;
            if (length > MaxFileBytes)
            {
                refused.Add(new PolicyError(new SourceLocation(display, 1, 1), $"the file is {length:N0} bytes; policy files are limited to {MaxFileBytes:N0} (split it)"));
                continue;
            }
            var inRepository = repository is null ? null : Path.GetRelativePath(repository, file).Replace('\\', '/');
            sources.Add(new PolicySource(display, File.ReadAllText(file), inRepository));
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
