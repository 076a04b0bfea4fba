namespace Reconciler.Observe;

/// <summary>
/// Everything one run observed, the first step of README "How Plan decides": each server's DNS answers, and what the
/// probes, the egress check and the live dumps found.
/// </summary>
public sealed record Observed(ObservationSet Dns, ObserverResult Others)
{
    public static Observed DnsOnly(ObservationSet dns) => new(dns, ObserverResult.None);
}
