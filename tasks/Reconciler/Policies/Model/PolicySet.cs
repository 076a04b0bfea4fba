namespace Reconciler.Policies.Model;

/// <summary>Every policy file under <c>--policies</c>, merged and validated.</summary>
public sealed record PolicySet
{
    public required IReadOnlyList<string> Files { get; init; }
    public required IReadOnlyList<Dependency> Dependencies { get; init; }
    public required IReadOnlyList<Identity> Identities { get; init; }
    public required IReadOnlyList<Allowlist> Allowlists { get; init; }
    public required IReadOnlyList<IgnoreEntry> Ignores { get; init; }
    public required PolicySettings Settings { get; init; }
    /// <summary>Prefix lists that rules admit by name (<c>prefix_sets:</c>).</summary>
    public IReadOnlyList<PrefixSet> PrefixSets { get; init; } = [];
    /// <summary>Each file's text as loaded, by its display path: what plans edit.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>();
    /// <summary>Each file's path relative to its git repository's root, by display path: what pull requests name.</summary>
    public IReadOnlyDictionary<string, string> RepositoryPaths { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A digest of every policy file as loaded (repository path and text, in path order): the same policies give the same
    /// digest on every machine, so shards can show they planned from one revision (README "Large estates: shards").
    /// </summary>
    public string Digest()
    {
        var text = new System.Text.StringBuilder();
        foreach (var file in Sources.OrderBy(f => RepositoryPathOf(f.Key), StringComparer.Ordinal))
            text.Append(RepositoryPathOf(file.Key)).Append('\0').Append(file.Value).Append('\0');
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    public string RepositoryPathOf(string displayPath) => RepositoryPaths.GetValueOrDefault(displayPath) ?? displayPath.TrimStart('/');

    /// <summary>Only the dependencies <paramref name="takes"/> keeps, and only the rules that name them.</summary>
    public PolicySet Only(Func<string, bool> takes) => this with
    {
        Dependencies = [.. Dependencies.Where(d => takes(d.Name))],
        Allowlists = [.. Allowlists.Select(a => a with { Rules = [.. a.Rules.Where(r => takes(r.Dependency))] })],
        Ignores = [.. Ignores.Where(i => i.Dependency is null || takes(i.Dependency))],
    };

    public Dependency? FindDependency(string name) => Dependencies.FirstOrDefault(d => d.Name == name);
    public Identity? FindIdentity(string name) => Identities.FirstOrDefault(i => i.Name == name);
    public Allowlist? FindAllowlist(string name) => Allowlists.FirstOrDefault(a => a.Name == name);
    public PrefixSet? FindPrefixSet(string name) => PrefixSets.FirstOrDefault(s => s.Name == name);
}
