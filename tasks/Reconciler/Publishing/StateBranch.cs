using Reconciler.Engine;
using Reconciler.GitHub;

namespace Reconciler.Publishing;

/// <summary>
/// The drift memory in CI: <c>state.json</c> on the branch <c>reconciler/state</c>, one commit per save, written with
/// the same client. A save that changes nothing that matters is skipped, so a quiet world makes no writes.
/// </summary>
public sealed class StateBranch(GitHubClient github, string branch = Publisher.StateBranch)
{
    public const string FileName = "state.json";

    private string? _head;

    /// <summary>The state file's text, or null when the branch (or the file) does not exist yet.</summary>
    public async Task<string?> LoadAsync(CancellationToken cancellationToken)
    {
        var reference = await github.Git.GetBranchAsync(branch, cancellationToken).ConfigureAwait(false);
        if (reference is null)
            return null;
        _head = reference.Target.Sha;
        var commit = await github.Git.GetCommitAsync(_head, cancellationToken).ConfigureAwait(false);
        var tree = await github.Git.GetTreeAsync(commit.Tree.Sha, recursive: false, cancellationToken).ConfigureAwait(false);
        return tree.Tree.FirstOrDefault(e => e.Path == FileName && e.Sha is not null) is { } entry
            ? await github.Git.GetBlobTextAsync(entry.Sha!, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// Saves the memory unless it equals what was loaded but for last-seen times that moved less than
    /// <paramref name="tolerance"/>. Returns whether it wrote. The branch moves only forward (no force), so two
    /// runs that raced cannot silently drop each other's memory: the later one fails and says so.
    /// </summary>
    public async Task<bool> SaveAsync(DriftMemory loaded, DriftMemory memory, TimeSpan tolerance, CancellationToken cancellationToken)
    {
        if (_head is not null && !memory.DiffersFrom(loaded, tolerance))
            return false;
        var tree = await github.Git.CreateTreeAsync(null, new Dictionary<string, string> { [FileName] = memory.ToJson() }, cancellationToken).ConfigureAwait(false);
        var commit = await github.Git.CreateCommitAsync("Reconciler: drift memory", tree.Sha, _head, cancellationToken).ConfigureAwait(false);
        if (_head is null)
            await github.Git.CreateBranchAsync(branch, commit.Sha, cancellationToken).ConfigureAwait(false);
        else
            await github.Git.MoveBranchAsync(branch, commit.Sha, cancellationToken, force: false).ConfigureAwait(false);
        _head = commit.Sha;
        return true;
    }
}
