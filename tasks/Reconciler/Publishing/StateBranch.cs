using Reconciler.GitHub;
using Reconciler.Memory;

namespace Reconciler.Publishing;

/// <summary>
/// The drift memory in CI: <c>state.json</c> on the branch <c>reconciler/state</c>, one commit per save, written with
/// the same client. A save that changes nothing that matters is skipped, so a quiet world makes no writes. The
/// branch only moves forward: when another run moved it first, the save reads that run's memory, joins it with its
/// own and tries again. A damaged state file is kept beside the new one (<c>state.json.corrupt-…</c>) in the commit
/// that replaces it.
/// </summary>
public sealed class StateBranch(GitHubClient github, TimeProvider clock, string branch = StateBranch.DefaultName) : IStateStore
{
    /// <summary>The branch the drift memory lives on (README "Publishing (Reconcile)"); the state reader leaves it out of the bot's pull request branches.</summary>
    public const string DefaultName = "reconciler/state";

    public const string FileName = "state.json";

    /// <summary>Saves that found the branch moved under them before this one gives up (the run then exits 3).</summary>
    private const int Attempts = 4;

    private string? _head;
    private string? _tree;
    private (string Name, string Text)? _damaged;

    public string Describe => $"the branch {branch}";

    public async Task<StateRead> LoadAsync(CancellationToken cancellationToken)
    {
        var (head, tree, text) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        (_head, _tree) = (head, tree);
        var read = DriftMemoryJson.Read(text);
        if (!read.Damaged)
            return read;
        var name = DriftMemoryJson.DamagedCopyName(FileName, clock.GetUtcNow());
        _damaged = (name, text!);
        return read with { Problem = $"{read.Problem}; the next save keeps it as {name} on the branch" };
    }

    public async Task<bool> SaveAsync(DriftMemory loaded, DriftMemory memory, TimeSpan tolerance, CancellationToken cancellationToken)
    {
        if (_head is not null && _damaged is null && !memory.DiffersFrom(loaded, tolerance))
            return false;
        for (var attempt = 1; ; attempt++)
        {
            var files = new Dictionary<string, string> { [FileName] = memory.ToJson() };
            if (_damaged is { } damaged)
                files[damaged.Name] = damaged.Text;
            var tree = await github.Git.CreateTreeAsync(_tree, files, cancellationToken).ConfigureAwait(false);
            var commit = await github.Git.CreateCommitAsync("Reconciler: drift memory", tree.Sha, _head, cancellationToken).ConfigureAwait(false);
            try
            {
                if (_head is null)
                    await github.Git.CreateBranchAsync(branch, commit.Sha, cancellationToken).ConfigureAwait(false);
                else
                    await github.Git.MoveBranchAsync(branch, commit.Sha, cancellationToken, force: false).ConfigureAwait(false);
                (_head, _tree, _damaged) = (commit.Sha, tree.Sha, null);
                return true;
            }
            catch (GitHubValidationException) when (attempt < Attempts)
            {
                // Another run saved first (not a fast forward, or the branch now exists): join its memory and retry.
                var (head, theirTree, text) = await ReadAsync(cancellationToken).ConfigureAwait(false);
                var theirs = DriftMemoryJson.Read(text);
                (_head, _tree) = (head, theirTree);
                if (!theirs.Damaged)
                    memory = DriftMemory.Merge([theirs.Memory, memory]);
                else if (text is not null)
                    _damaged = (DriftMemoryJson.DamagedCopyName(FileName, clock.GetUtcNow()), text);
            }
        }
    }

    private async Task<(string? Head, string? Tree, string? Text)> ReadAsync(CancellationToken cancellationToken)
    {
        var reference = await github.Git.GetBranchAsync(branch, cancellationToken).ConfigureAwait(false);
        if (reference is null)
            return (null, null, null);
        var head = reference.Target.Sha;
        var commit = await github.Git.GetCommitAsync(head, cancellationToken).ConfigureAwait(false);
        var tree = await github.Git.GetTreeAsync(commit.Tree.Sha, recursive: false, cancellationToken).ConfigureAwait(false);
        var text = tree.Tree.FirstOrDefault(e => e.Path == FileName && e.Sha is not null) is { } entry
            ? await github.Git.GetBlobTextAsync(entry.Sha!, cancellationToken).ConfigureAwait(false)
            : null;
        return (head, commit.Tree.Sha, text);
    }
}
