using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Yaml;

namespace Reconciler.Policies.Model;

public enum AllowlistKind
{
    /// <summary>Host firewall rules, applied by <c>iptables-restore</c> on the allowlist's hosts.</summary>
    Iptables,
    /// <summary>Squid ACLs of a forward proxy.</summary>
    Proxy,
    /// <summary>Host firewall rules, an <c>inet</c> table of its own loaded by <c>nft -f</c> on the allowlist's hosts.</summary>
    Nftables,
}

/// <summary>One deployable allowlist and the rules that admit each dependency's traffic.</summary>
public sealed record Allowlist
{
    public required string Name { get; init; }
    public required AllowlistKind Kind { get; init; }
    /// <summary>The machines that apply it (for live-drift checks).</summary>
    public required IReadOnlyList<string> Hosts { get; init; }
    public required IReadOnlyList<AllowlistRule> Rules { get; init; }
    /// <summary>A proxy's address (<c>http://proxy1001:3128</c>), for probing through it as its clients do.</summary>
    public Uri? Url { get; init; }
    public required SourceLocation Location { get; init; }
}

public sealed record AllowlistRule
{
    public required string Dependency { get; init; }
    /// <summary>Ports of this rule; empty means the dependency's ports.</summary>
    public required IReadOnlyList<int> Ports { get; init; }
    public required IReadOnlyList<Located<IPNetwork>> Destinations { get; init; }
    /// <summary>Squid-style domains: a leading dot admits the domain and every name below it.</summary>
    public required IReadOnlyList<Located<string>> Domains { get; init; }
    public string? Reason { get; init; }
    /// <summary>Never removed automatically.</summary>
    public bool Pinned { get; init; }
    public required SourceLocation Location { get; init; }
    /// <summary>The rule's own text, so that an edit can add a <c>destinations:</c> key to it.</summary>
    public TextSpan Span { get; init; }
    /// <summary>The <c>destinations:</c> list, so that edits can add to it or take from it; null when the rule has none.</summary>
    public ListSpan? DestinationsList { get; init; }
    /// <summary>The <c>prefix_set:</c> this rule admits besides its own destinations; null when it names none.</summary>
    public string? PrefixSet { get; init; }
    /// <summary>That set's prefixes, filled in when the files are merged.</summary>
    public IReadOnlyList<Located<IPNetwork>> SetPrefixes { get; init; } = [];
    /// <summary>Everything the rule admits by address: its own destinations and its prefix set's.</summary>
    public IEnumerable<Located<IPNetwork>> Admits => Destinations.Concat(SetPrefixes);
}
