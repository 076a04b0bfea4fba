using System.Net;
using Reconciler.Diagnostics;

namespace Reconciler.Rulesets;

/// <summary>
/// One <c>-A CHAIN …</c> line of iptables-save, with the matches that decide which outbound traffic it takes.
/// Matches it does not model are kept in <see cref="Other"/> (named, never dropped silently): they only narrow a rule.
/// </summary>
public sealed record IptablesRule
{
    public required SourceLocation Location { get; init; }
    public required string Chain { get; init; }
    /// <summary><c>-p</c>; null for every protocol.</summary>
    public string? Protocol { get; init; }
    public bool ProtocolNegated { get; init; }
    /// <summary><c>-d</c>: empty for any destination.</summary>
    public IReadOnlyList<IPNetwork> Destinations { get; init; } = [];
    public bool DestinationNegated { get; init; }
    /// <summary><c>-m set --match-set NAME dst…</c>: the set that holds the destination.</summary>
    public string? DestinationSet { get; init; }
    public bool DestinationSetNegated { get; init; }
    /// <summary>Whether the set's second dimension (<c>dst,dst</c> on a hash:ip,port set) is the destination port.</summary>
    public bool SetMatchesPort { get; init; }
    /// <summary><c>--dport</c>, <c>--dports</c>, <c>--ports</c>; null for every port.</summary>
    public IReadOnlyList<PortRange>? Ports { get; init; }
    public bool PortsNegated { get; init; }
    public string? OutInterface { get; init; }
    public bool OutInterfaceNegated { get; init; }
    /// <summary>A state/conntrack match that takes only ESTABLISHED or RELATED packets: replies, not new connections.</summary>
    public bool EstablishedOnly { get; init; }
    public string? Comment { get; init; }
    /// <summary><c>-j</c> or <c>-g</c>; null when the rule only counts.</summary>
    public string? Target { get; init; }
    public bool Goto { get; init; }
    public IReadOnlyList<string> Other { get; init; } = [];
    /// <summary>The line as written, for reasons and notes.</summary>
    public required string Text { get; init; }

    /// <summary>No match at all: every packet that reaches it takes its target.</summary>
    public bool MatchesEverything =>
        Protocol is null && Destinations.Count == 0 && DestinationSet is null && Ports is null && OutInterface is null && !EstablishedOnly && Other.Count == 0;
}

/// <summary>A chain of the filter table: its rules in order, and its policy when it is built in.</summary>
public sealed record IptablesChain(string Name, string? Policy, SourceLocation Location, List<IptablesRule> Rules);

/// <summary>The filter table of one iptables-save or ip6tables-save dump, and the lines that could not be read.</summary>
public sealed record IptablesDump(string File, IReadOnlyDictionary<string, IptablesChain> Chains, IReadOnlyList<DumpProblem> Problems, IReadOnlyList<string> Notes);
