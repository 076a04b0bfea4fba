using System.Security.Cryptography;
using System.Text;
using Reconciler.Diagnostics;

namespace Reconciler.Findings;

public enum FindingAction
{
    /// <summary>An allowlist edit that a pull request can make.</summary>
    PullRequest,
    /// <summary>Drift a human must handle.</summary>
    Issue,
    None,
}

/// <summary>Why the engine kept a removal out of the pull requests; the pipeline's last step says so in the message.</summary>
public enum RemovalKept
{
    /// <summary>The removal proof does not hold for it (README "What Reconciler will never do").</summary>
    Unproven,
    /// <summary>The safety threshold held it back (README "How Plan decides").</summary>
    Held,
}

/// <summary>One thing that says where to look, so a person can check it.</summary>
public sealed record Evidence(string Source, string Detail, DateTimeOffset? ObservedAt = null, uint? Ttl = null);

/// <summary>One drift or risk (README "How Plan decides").</summary>
public sealed record Finding
{
    public required FindingKind Kind { get; init; }
    public required Severity Severity { get; init; }
    public required string Dependency { get; init; }
    public string? Allowlist { get; init; }
    /// <summary>The prefix set (<c>prefix_sets:</c>) this finding concerns, for drift of a set rather than of one allowlist.</summary>
    public string? PrefixSet { get; init; }
    public string? Host { get; init; }
    /// <summary>What drifted: an address, a prefix, a user agent…</summary>
    public required string Subject { get; init; }
    /// <summary>One sentence for people: what happened and what to do.</summary>
    public required string Message { get; init; }
    public required FindingAction Action { get; init; }
    public IReadOnlyList<Evidence> Evidence { get; init; } = [];
    /// <summary>The rule or dependency in the policies this finding concerns.</summary>
    public SourceLocation? Location { get; init; }
    /// <summary>For a refused probe, the WAF that refused it, for code to read instead of the message (<c>waf</c> in report.json, absent when null).</summary>
    public string? Waf { get; init; }
    /// <summary>For a removal the engine kept out of the pull requests, why (<c>kept</c> in report.json, absent when null: a merged report is judged again by it).</summary>
    public RemovalKept? Kept { get; init; }

    /// <summary>What this finding belongs to, said by what it is rather than by one string field holding any of them.</summary>
    public FindingOwner Owner => FindingOwner.Of(this);

    /// <summary>
    /// The same drift gives the same fingerprint on every run, whatever the evidence, so that publishing
    /// updates one PR or issue instead of opening another.
    /// </summary>
    public string Fingerprint => FingerprintOf(Kind, Dependency, Allowlist ?? (PrefixSet is null ? null : "prefix_set:" + PrefixSet), Subject);

    public static string FingerprintOf(FindingKind kind, string dependency, string? allowlist, string subject)
    {
        var key = string.Join('\n', kind.ToWire(), dependency, allowlist ?? "", subject);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
    }
}
