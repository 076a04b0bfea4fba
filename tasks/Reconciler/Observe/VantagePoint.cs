using Reconciler.Dns.Resolution;
using Reconciler.Findings;

namespace Reconciler.Observe;

/// <summary>
/// Whether a run saw the estate's DNS at all, and whether its outbound checks describe the estate (README "Where to run
/// it"). A server that replied, even SERVFAIL, REFUSED or NXDOMAIN, is a working vantage point; one that never did (every
/// query timed out, or the network refused it: ICMP unreachable, a TCP reset) is not, and a run where none replied knows
/// nothing about any dependency.
/// </summary>
public static class VantagePoint
{
    /// <summary>The value of <c>RUNNER_ENVIRONMENT</c> on GitHub's own runners.</summary>
    public const string GitHubHosted = "github-hosted";

    /// <summary>True when this run asked servers about hosts and not one of them replied to anything.</summary>
    public static bool NoServerAnswered(ObservationSet observations)
    {
        if (observations.Observations.Count == 0)
            return false;
        foreach (var observation in observations.Observations)
        {
            if (observation.Outcome != DnsOutcome.Timeout)
                return false;
        }
        return true;
    }

    /// <summary>True on a GitHub-hosted runner, from the runner's <c>RUNNER_ENVIRONMENT</c>.</summary>
    public static bool IsGitHubHostedRunner(string? runnerEnvironment) =>
        string.Equals(runnerEnvironment?.Trim(), GitHubHosted, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// On a GitHub-hosted runner, egress and probe findings say where GitHub's machine leaves from and what partners
    /// make of it, not the estate: each becomes a note, so that no issue is filed about a machine the estate does not run.
    /// </summary>
    public static ObserverResult OnGitHubHostedRunner(ObserverResult outbound)
    {
        if (outbound.Findings.Count == 0)
            return outbound;
        var notes = outbound.Findings.Select(f =>
            $"on a GitHub-hosted runner, not an issue (it describes the runner, not the estate): {f.Kind.ToWire()} {f.Dependency} {f.Subject}: {f.Message}");
        return new ObserverResult([], [.. outbound.Notes, .. notes]) { Probes = outbound.Probes };
    }
}
