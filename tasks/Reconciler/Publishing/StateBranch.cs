using Reconciler.Memory;

namespace Reconciler.Publishing;

/// <summary>
/// The drift memory in CI: <c>state.json</c> on the branch <c>reconciler/state</c>, one commit per save, written with
/// the same forge as the publisher. A save that changes nothing that matters is skipped, so a quiet world makes no writes. The
/// branch only moves forward: when another run moved it first, the save reads that run's memory, joins it with its
/// own and tries again. A damaged state file is kept beside the new one (<c>state.json.corrupt-…</c>) in the commit
/// that replaces it.
/// </summary>
public sealed class StateBranch(IForge forge, TimeProvider clock, string branch = StateBranch.DefaultName) : IStateStore
{
    /// <summary>The branch the drift memory lives on (README "Publishing (Reconcile)"); the state reader leaves it out of the bot's pull request branches.</summary>
    public const string DefaultName = "reconciler/state";

    public const string FileName = "state.json";

    /// <summary>Saves that found the branch moved under them before this one gives up (the run then exits 3).</summary>
    private const int Attempts = 4;

    private ForgeCommit? _head;
    private (string Name, string Text)? _damaged;

    public string Describe => $"the branch {branch}";

    public async Task<StateRead> LoadAsync(CancellationToken cancellationToken)
    {
        var (head, text) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        _head = head;
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
            var commit = await forge.CommitAsync(_head, files, "Reconciler: drift memory", cancellationToken).ConfigureAwait(false);
            try
            {
                await forge.AdvanceBranchAsync(branch, _head?.Sha, commit.Sha, cancellationToken).ConfigureAwait(false);
                (_head, _damaged) = (commit, null);
                return true;
            }
            catch (ForgeRefusedException) when (attempt < Attempts)
            {
                // Another run saved first (not a fast forward, or the branch now exists): join its memory and retry.
                var (head, text) = await ReadAsync(cancellationToken).ConfigureAwait(false);
                var theirs = DriftMemoryJson.Read(text);
                _head = head;
                if (!theirs.Damaged)
                    memory = DriftMemory.Merge([theirs.Memory, memory]);
                else if (text is not null)
                    _damaged = (DriftMemoryJson.DamagedCopyName(FileName, clock.GetUtcNow()), text);
            }
        }
    }

    private async Task<(ForgeCommit? Head, string? Text)> ReadAsync(CancellationToken cancellationToken) =>
        await forge.ReadFileAsync(branch, FileName, cancellationToken).ConfigureAwait(false) is { } file ? (file.Head, file.Text) : (null, null);
}
