using System.Security.Cryptography;
using Reconciler.Diagnostics;
using Reconciler.Files;
using Reconciler.Memory;

namespace Reconciler.Run;

/// <summary>
/// The drift memory in a local file (<c>--state</c>, or <c>artifacts/state.json</c>). A damaged file is moved aside
/// (<c>state.json.corrupt-20261201T060000Z</c>) before it can be overwritten. Saving holds an exclusive lock on
/// <c>state.json.lock</c> while it reads what is there now, joins it with this run's memory and replaces the file,
/// so two runs at once both keep their observations. The lock is the operating system's: it goes with the process,
/// however the process ends. With <c>clipAt</c> (the run's <c>--now</c>), what is joined from the file is clipped to it
/// first, as the run's own memory was: a date from the future must not come back through the join (README, "Clocks").
/// </summary>
public sealed class LocalStateFile(string path, TimeProvider clock, TimeSpan? lockTimeout = null, DateTimeOffset? clipAt = null) : IStateStore
{
    /// <summary>A state file larger than this is not a state file: 10,000 dependencies take some 20 megabytes.</summary>
    private const long MaxBytes = 512L * 1024 * 1024;

    private readonly TimeSpan _lockTimeout = lockTimeout ?? TimeSpan.FromMinutes(2);

    public string Describe => path;

    public string LockPath => path + ".lock";

    /// <summary>What loading read, by the hash of its bytes: a file that has not changed by the save is not parsed again.</summary>
    private (byte[] Hash, StateRead Read)? _loaded;

    /// <exception cref="ReconcilerException">The path is a directory or cannot be read: invalid arguments, before any work.</exception>
    public Task<StateRead> LoadAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
            throw ReconcilerException.InvalidArgument("state", $"'{path}' is a directory, not a state file");
        var bytes = Read();
        var read = DriftMemoryJson.ReadUtf8(bytes);
        _loaded = bytes is { } file ? (SHA256.HashData(file.Span), read) : null;
        return Task.FromResult(read.Damaged ? read with { Problem = $"{read.Problem}; {MoveAside()}" } : read);
    }

    public async Task<bool> SaveAsync(DriftMemory loaded, DriftMemory memory, TimeSpan tolerance, CancellationToken cancellationToken)
    {
        using var held = await LockAsync(cancellationToken).ConfigureAwait(false);
        var bytes = Read();
        // Reading is a function of the bytes alone; the state of 10,000 dependencies takes a second and 50 MB to parse.
        var now = bytes is { } file && _loaded is { } before && SHA256.HashData(file.Span).AsSpan().SequenceEqual(before.Hash)
            ? before.Read
            : DriftMemoryJson.ReadUtf8(bytes);
        if (now.Damaged)
            MoveAside();
        var there = clipAt is { } at ? now.Memory.ClippedTo(at).Memory : now.Memory;
        var merged = now.Damaged ? memory : DriftMemory.Merge([there, memory]);
        AtomicFile.Write(path, merged.WriteTo);
        return true;
    }

    /// <summary>
    /// The file's bytes, or null when there is none: a state of 10,000 dependencies is tens of megabytes, never made a
    /// string. Read without awaiting: the run would otherwise go on inside the finished read's frame, which holds them.
    /// </summary>
    private ReadOnlyMemory<byte>? Read()
    {
        try
        {
            if (!File.Exists(path))
                return null;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (!stream.CanSeek || stream.Length > MaxBytes)
                throw ReconcilerException.InvalidArgument("state", $"'{path}' is not a regular file of at most {MaxBytes / 1024 / 1024} MB");
            var bytes = new MemoryStream((int)stream.Length);
            stream.CopyTo(bytes);
            return bytes.GetBuffer().AsMemory(0, (int)bytes.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ReconcilerException.InvalidArgument("state", $"cannot read '{path}': {e.Message}");
        }
    }

    private string MoveAside()
    {
        var aside = DriftMemoryJson.DamagedCopyName(path, clock.GetUtcNow());
        try
        {
            File.Move(path, aside, overwrite: false);
            return $"it was moved to {aside}";
        }
        catch (FileNotFoundException)
        {
            return "another run has moved it aside already";
        }
        catch (IOException e) when (File.Exists(aside))
        {
            return $"it could not be moved aside ({e.Message}); {aside} holds an earlier copy";
        }
    }

    private async Task<FileStream> LockAsync(CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
            Directory.CreateDirectory(directory);
        var deadline = clock.GetUtcNow() + _lockTimeout;
        while (true)
        {
            try
            {
                // On Linux and macOS, FileShare.None takes an exclusive flock(2) that other runs' attempts see.
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 + Random.Shared.Next(100)), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new ReconcilerException(ExitCodes.RunFailed, $"another run has held {LockPath} for {_lockTimeout.TotalSeconds:0} s; the memory was not saved ({e.Message})");
            }
        }
    }
}
