using Reconciler.Findings;

namespace Reconciler.Planning;

/// <summary>
/// One pull request per allowlist and dependency: the allowlist edit that ends the drift, why, and its diff.
/// <see cref="Failure"/> is set (and there is no diff) when the edit would not validate: no PR is better than a broken one.
/// </summary>
public sealed record PlannedPullRequest(
    string Allowlist,
    string Dependency,
    string Title,
    string Body,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyDictionary<string, IReadOnlyList<Yaml.TextEdit>> Edits,
    string Diff,
    IReadOnlyList<Finding> Findings,
    string? Failure = null)
{
    public string Branch => $"reconciler/{Allowlist}/{Dependency}";

    /// <summary>The dependency whose owner is asked to review it, or null (a prefix set's: <see cref="Dependency"/> names the set).</summary>
    public string? OwnedByDependency { get; init; }

    /// <summary>The files as this pull request would leave them (edits kept, not copies: a large estate has hundreds of PRs).</summary>
    public IReadOnlyDictionary<string, string> EditedFiles(IReadOnlyDictionary<string, string> sources) =>
        Edits.ToDictionary(e => e.Key, e => Yaml.YamlTextEdits.Apply(sources[e.Key], e.Value), StringComparer.Ordinal);

    /// <summary>Stable for the same allowlist and dependency, whatever the drift: the PR is updated, not multiplied.</summary>
    public string Fingerprint => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"pull-request\n{Allowlist}\n{Dependency}")))[..16];
}

/// <summary>One issue per finding that a human must handle, found again on later runs by its fingerprint.</summary>
public sealed record PlannedIssue(Finding Finding, string Title, string Body, IReadOnlyList<string> Labels)
{
    /// <summary>
    /// The dependency whose owner the issue is routed to, or null: an identity's, the policies' or a prefix set's
    /// issue names no dependency, however its <see cref="Finding.Dependency"/> is spelt (<see cref="FindingOwners.DependencyIn"/>).
    /// </summary>
    public string? OwnedByDependency { get; init; }
}

/// <summary>What Reconcile would publish; what Plan writes as files.</summary>
public sealed record ChangePlan(IReadOnlyList<PlannedPullRequest> PullRequests, IReadOnlyList<PlannedIssue> Issues)
{
    public static ChangePlan Empty { get; } = new([], []);
}
