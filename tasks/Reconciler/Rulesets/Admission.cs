using System.Net;
using Reconciler.Diagnostics;

namespace Reconciler.Rulesets;

public enum AdmissionKind
{
    /// <summary>New connections to the networks (or the set's entries), on the ports.</summary>
    Destinations,
    /// <summary>New connections to any destination (no -d, a negated one, or the OUTPUT policy ACCEPT).</summary>
    Everything,
    /// <summary><c>-o lo</c>: the host talking to itself.</summary>
    Loopback,
    /// <summary>Replies and related packets of connections already admitted.</summary>
    Established,
}

/// <summary>
/// What one accepting rule on the OUTPUT path admits, with the matches of the jumps that lead to it folded in.
/// <see cref="Protocol"/> null is every protocol; <see cref="Ports"/> null every port.
/// </summary>
public sealed record Admission
{
    public required AdmissionKind Kind { get; init; }
    /// <summary>The accepting line (or the chain's policy line).</summary>
    public required SourceLocation Location { get; init; }
    public IReadOnlyList<IPNetwork> Networks { get; init; } = [];
    /// <summary>The ipset the destinations come from, when they do.</summary>
    public string? Set { get; init; }
    public IReadOnlyList<PortRange>? Ports { get; init; }
    public string? Protocol { get; init; }
    public string? Comment { get; init; }
    /// <summary>The chains from OUTPUT to the accepting rule.</summary>
    public IReadOnlyList<string> Path { get; init; } = [];
    /// <summary>Matches that narrow the rule further and that a policy cannot say (owner, interface, source…).</summary>
    public IReadOnlyList<string> Narrowed { get; init; } = [];
    /// <summary>For <see cref="AdmissionKind.Everything"/>: why any destination passes.</summary>
    public string? Why { get; init; }

    /// <summary>TCP or every protocol: what Reconciler's rendered chain governs.</summary>
    public bool CoversTcp => Protocol is null or "tcp";

    public string DescribeDestination() =>
        Kind == AdmissionKind.Everything ? "any destination" : string.Join(", ", Networks.Select(Policies.Validation.Networks.Format));
}
