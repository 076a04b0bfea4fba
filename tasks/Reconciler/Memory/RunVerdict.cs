using Reconciler.Dns.Resolution;
using Reconciler.Observe;

namespace Reconciler.Memory;

/// <summary>What one run proved of one host: the first half of the removal rule (README, "What Reconciler will never do").</summary>
public enum RunVerdict
{
    /// <summary>At least one server answered, and every answer of every server that answered was a success.</summary>
    Resolved,
    /// <summary>Some server that answered failed (NXDOMAIN, SERVFAIL…), or a sample of it went unanswered, or none answered.</summary>
    Failed,
    /// <summary>Nobody asked: another shard's host, or a run that asked no server.</summary>
    NotAsked,
}

public static class RunVerdicts
{
    /// <summary>The verdict of one run's observations of one host (all servers, samples and record types).</summary>
    public static RunVerdict Of(IEnumerable<Observation> observationsOfHost)
    {
        var byServer = observationsOfHost.GroupBy(o => o.Server, StringComparer.Ordinal).ToList();
        if (byServer.Count == 0)
            return RunVerdict.NotAsked;
        // A server that never replied did not answer; one that replied to some samples and not others is not trusted.
        var answered = byServer.Where(s => s.Any(o => o.Outcome != DnsOutcome.Timeout)).ToList();
        return answered.Count > 0 && answered.All(s => s.All(o => o.Succeeded)) ? RunVerdict.Resolved : RunVerdict.Failed;
    }
}
