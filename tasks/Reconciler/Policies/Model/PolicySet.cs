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

    public Dependency? FindDependency(string name) => Dependencies.FirstOrDefault(d => d.Name == name);
    public Identity? FindIdentity(string name) => Identities.FirstOrDefault(i => i.Name == name);
    public Allowlist? FindAllowlist(string name) => Allowlists.FirstOrDefault(a => a.Name == name);
}
