namespace Reconciler.Policies.Loading;

/// <summary>One policy file's text and the path to show in messages.</summary>
public sealed record PolicySource(string DisplayPath, string Text);
