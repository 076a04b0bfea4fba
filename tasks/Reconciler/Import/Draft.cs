using Reconciler.Policies.Model;
namespace Reconciler.Import;

/// <summary>A dependency as Import drafts it; <see cref="HostsAreGuesses"/> when the dump held addresses only.</summary>
public sealed record DraftDependency(string Name, string Track)
{
    public List<string> Hosts { get; } = [];
    public bool HostsAreGuesses { get; set; }
    public List<int> Ports { get; set; } = [];
    public List<string> Comments { get; } = [];
}

/// <summary>One drafted rule: the destinations (or domains) one source line admits, and the line it came from.</summary>
public sealed record DraftRule(string Dependency, IReadOnlyList<int> Ports, string Reason)
{
    public List<string> Destinations { get; } = [];
    public List<string> Domains { get; } = [];
    public List<string> Comments { get; } = [];
}

public sealed record DraftAllowlist(string Name, AllowlistKind Kind, string Host, string Source)
{
    public List<DraftRule> Rules { get; } = [];
}

/// <summary>One policy file Import writes: what it drafts from one dump, and the notes on what it left out.</summary>
public sealed record DraftFile(string FileName, string Source)
{
    public List<DraftDependency> Dependencies { get; } = [];
    public List<DraftAllowlist> Allowlists { get; } = [];
    public List<string> Notes { get; } = [];
    public bool IsEmpty => Allowlists.All(a => a.Rules.Count == 0);
}
