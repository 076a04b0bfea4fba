namespace Reconciler.Memory;

/// <summary>
/// Where the drift memory lives between runs: a local file (<c>--state</c>) or the state branch. A store keeps a
/// copy of a damaged state before anything overwrites it, and merges with what another run saved meanwhile, so that
/// two runs never lose each other's observations.
/// </summary>
public interface IStateStore
{
    /// <summary>Where, for messages: a path, or a branch.</summary>
    string Describe { get; }

    Task<StateRead> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="memory"/> joined with whatever the store holds now. A store whose writes cost something
    /// (a commit) may skip a save that says nothing new beyond <paramref name="loaded"/> but for times that moved less
    /// than <paramref name="tolerance"/>; a local file is always written. Returns whether it wrote.
    /// </summary>
    Task<bool> SaveAsync(DriftMemory loaded, DriftMemory memory, TimeSpan tolerance, CancellationToken cancellationToken);
}
