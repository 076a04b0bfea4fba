using Reconciler.Findings;

namespace Reconciler.Reports;

/// <summary>What a run did and found: the content of <c>report.json</c> and <c>report.md</c>.</summary>
public sealed record Report
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required RunInfo Run { get; init; }
    public required IReadOnlyList<Finding> Findings { get; init; }
    /// <summary>What this run could not observe, so that silence is never mistaken for health.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public IReadOnlyDictionary<string, int> CountsByKind =>
        Findings.GroupBy(f => f.Kind.ToWire()).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    public IReadOnlyDictionary<string, int> CountsBySeverity =>
        Enum.GetValues<Severity>().Reverse().ToDictionary(s => s.ToWire(), s => Findings.Count(f => f.Severity == s));

    public bool HasFindingsAtOrAbove(Severity threshold) => Findings.Any(f => f.Severity >= threshold);
}

public sealed record RunInfo
{
    public required string Target { get; init; }
    public required string Tool { get; init; }
    public required DateTimeOffset Now { get; init; }
    public required string Policies { get; init; }
    public required IReadOnlyList<string> PolicyFiles { get; init; }
    public IReadOnlyList<string> Nameservers { get; init; } = [];
    public string Shard { get; init; } = "1/1";
    /// <summary>The digest of the policies the run planned from (see PolicySet.Digest); null in reports of older versions.</summary>
    public string? PoliciesDigest { get; init; }
    public required string FailOn { get; init; }
}
