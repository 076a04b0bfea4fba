using Reconciler.Diagnostics;
using Reconciler.GitHub;

namespace Reconciler.Run;

/// <summary>
/// Everything an argument can get wrong, checked before the first lookup: a run that cannot write its report
/// or publish it must say so at once (exit 2), not after minutes of DNS work (README "Arguments").
/// </summary>
public sealed partial class ReconcilerRun
{
    // Merge reads --out before it writes there, and says so when it holds no shard reports.
    private static readonly HashSet<string> WritesOut = new(StringComparer.OrdinalIgnoreCase) { "Plan", "Reconcile", "Render", "Review" };
    private static readonly HashSet<string> ReadsProviders = new(StringComparer.OrdinalIgnoreCase) { "Plan", "Reconcile", "Review", "Import" };
    private static readonly HashSet<string> KeepsState = new(StringComparer.OrdinalIgnoreCase) { "Plan", "Reconcile" };

    /// <summary>Checks the folders and files the target will use; throws exit 2 naming the argument.</summary>
    public void CheckArguments()
    {
        var target = options.Target;
        if (WritesOut.Contains(target))
            CheckWritableFolder("out", options.Out);
        if (KeepsState.Contains(target) && (options.State is not null || !target.Equals("Reconcile", StringComparison.OrdinalIgnoreCase)))
        {
            if (Directory.Exists(options.StatePath))
                throw ReconcilerException.InvalidArgument("state", $"'{options.StatePath}' is a folder; --state names the file to keep the memory in");
            CheckWritableFolder(options.State is null ? "out" : "state", Path.GetDirectoryName(Path.GetFullPath(options.StatePath))!);
        }
        if (options.Live is { } live && !Directory.Exists(live))
            throw ReconcilerException.InvalidArgument("live", $"directory '{live}' does not exist");
        if (options.Observations is { } replay && !File.Exists(replay))
            throw ReconcilerException.InvalidArgument("observations", $"file '{replay}' does not exist");
        if (options.Report is { } report && !File.Exists(report))
            throw ReconcilerException.InvalidArgument("report", $"file '{report}' does not exist");
        foreach (var dump in options.From)
        {
            if (!File.Exists(dump))
                throw ReconcilerException.InvalidArgument("from", $"file '{dump}' does not exist");
        }
        if (target.Equals("Import", StringComparison.OrdinalIgnoreCase))
        {
            if (options.From.Count == 0)
                throw ReconcilerException.InvalidArgument("from", "Import needs the dumps to draft from: --from=FILE[,FILE…]");
            CheckWritableFolder("policies", options.Policies);
        }
        // Every target that uses provider data reads --snapshot; only the default may be absent (the built-in copy serves).
        if (ReadsProviders.Contains(target) && options.Snapshot != RunOptions.DefaultSnapshot && !File.Exists(options.Snapshot))
            throw ReconcilerException.InvalidArgument("snapshot", $"file '{options.Snapshot}' does not exist");
        if (options.Feeds is { } feeds && !Directory.Exists(feeds))
            throw ReconcilerException.InvalidArgument("feeds", $"directory '{feeds}' does not exist");
    }

    /// <summary>
    /// Reconcile: one read of the repository with the token, before anything is observed, so that a wrong or
    /// expired token is exit 2 at once. Other GitHub failures keep their own codes, also before any lookup.
    /// </summary>
    private async Task CheckGitHubTokenAsync(CancellationToken cancellationToken)
    {
        if (_github is null)
            throw new InvalidOperationException("connect to GitHub first");
        try
        {
            await _github.GetRepositoryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubAuthorizationException e)
        {
            throw new ReconcilerException(ExitCodes.InvalidInput, $"GITHUB_TOKEN was refused before anything was observed: {e.Message}", e);
        }
        catch (GitHubNotFoundException e)
        {
            // GitHub answers 404 for a private repository the token cannot see, too: either way a bad argument.
            throw ReconcilerException.InvalidArgument("repository", $"'{_github.Repository}' does not exist at {_github.Connection.ApiBase}, or the token cannot see it ({e.Message})");
        }
        _login ??= await BotLoginAsync(_github, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A folder that exists and takes a file, or can be made; a file in its place, or a read-only place, is exit 2.</summary>
    private static void CheckWritableFolder(string argument, string folder)
    {
        if (File.Exists(folder))
            throw ReconcilerException.InvalidArgument(argument, $"'{folder}' is a file, not a folder");
        var probe = Path.Combine(folder, $".reconciler-write-check-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(folder);
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw ReconcilerException.InvalidArgument(argument, $"cannot write to '{folder}': {e.Message}");
        }
    }
}
