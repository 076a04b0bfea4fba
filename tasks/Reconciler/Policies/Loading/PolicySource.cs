namespace Reconciler.Policies.Loading;

/// <summary>
/// One policy file's text, the path to show in messages, and its path in the git repository that holds it
/// (what a pull request names); without a repository, the display path.
/// </summary>
public sealed record PolicySource(string DisplayPath, string Text, string? RepositoryPath = null);
