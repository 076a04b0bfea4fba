using System.Diagnostics;
using Reconciler.Diagnostics;
using Reconciler.Policies.Loading;

namespace Reconciler.Review;

/// <summary>The policy files as they were at a git ref.</summary>
public interface IPolicyHistory
{
    /// <summary>The commit the ref names, and every <c>*.yaml</c>/<c>*.yml</c> under the policies folder in it.</summary>
    Task<(string Commit, IReadOnlyList<PolicySource> Sources)> ReadAsync(string reference, CancellationToken cancellationToken);
}

/// <summary>
/// Reads old policies with the git command line (<c>rev-parse</c>, <c>ls-tree</c>, <c>show</c>): objects only, no
/// checkout, so reviewing a pull request never runs or writes anything from it.
/// </summary>
public sealed class GitPolicyHistory(string policiesDirectory) : IPolicyHistory
{
    public async Task<(string Commit, IReadOnlyList<PolicySource> Sources)> ReadAsync(string reference, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(policiesDirectory);
        var root = PolicyDirectory.RepositoryRoot(full)
            ?? throw ReconcilerException.InvalidArgument("policies", $"'{policiesDirectory}' is not in a git repository, so there is no --base to compare with");
        var folder = Path.GetRelativePath(root, full).Replace('\\', '/');
        var (found, commit) = await GitAsync(root, cancellationToken, "rev-parse", "--verify", "--quiet", reference + "^{commit}").ConfigureAwait(false);
        if (!found)
            throw ReconcilerException.InvalidArgument("base", $"'{reference}' is not a commit in {root} (fetch it first, e.g. git fetch origin main)");
        commit = commit.Trim();
        var (_, listing) = await GitAsync(root, cancellationToken, "ls-tree", "-r", "-z", "--name-only", commit, "--", folder == "." ? "" : folder).ConfigureAwait(false);
        var sources = new List<PolicySource>();
        foreach (var path in listing.Split('\0', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))
        {
            if (!path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                continue;
            var (_, text) = await GitAsync(root, cancellationToken, "show", $"{commit}:{path}").ConfigureAwait(false);
            sources.Add(new PolicySource(PolicyDirectory.Display(Path.Combine(root, path), Directory.GetCurrentDirectory()), text, path));
        }
        return (commit, sources);
    }

    private static async Task<(bool Ok, string Output)> GitAsync(string root, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-C");
        start.ArgumentList.Add(root);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new ReconcilerException(ExitCodes.RunFailed, "cannot start git");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode == 1 && arguments[0] == "rev-parse")
            return (false, "");
        if (process.ExitCode != 0)
            throw new ReconcilerException(ExitCodes.RunFailed, $"git {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await error.ConfigureAwait(false)).Trim()}");
        return (true, await output.ConfigureAwait(false));
    }
}
