using Reconciler.Diagnostics;
using Reconciler.Policies.Model;

namespace Reconciler.Observe;

/// <summary>
/// The observe step of README "How Plan decides": DNS (or its replay), then probes and egress, then the live dumps;
/// each observer's notes come back with what it saw.
/// </summary>
public sealed class RunObserver(ObserveSettings settings, IRunLog log)
{
    public RunDns Dns { get; } = new(settings, log);

    /// <param name="rotating">Hosts the memory says rotate: the DNS observer samples them more.</param>
    public async Task<Observed> ObserveAsync(PolicySet policies, IReadOnlySet<string> rotating, CancellationToken cancellationToken)
    {
        var (dns, dnsNotes) = await Dns.ObserveAsync(policies, rotating, cancellationToken).ConfigureAwait(false);
        // No server replied to anything: the run saw nothing of the estate, so it may not say that anything drifted,
        // resolved or went away (README "Where to run it"). Before the memory, the findings and any publishing.
        if (settings.Replay is null && VantagePoint.NoServerAnswered(dns))
            throw new ReconcilerException(ExitCodes.RunFailed,
                $"no name server answered: {string.Join(", ", dns.Servers)} (every query timed out or was refused by the network); nothing was resolved, closed or published");
        var outbound = await ObserveOutboundAsync(policies, dns, cancellationToken).ConfigureAwait(false);
        if (settings.OnGitHubHostedRunner)
            outbound = VantagePoint.OnGitHubHostedRunner(outbound);
        return new Observed(dns, new ObserverResult([], dnsNotes).And(outbound).And(ObserveLive(policies)));
    }

    /// <summary>Probes and egress: they ask the network as it is now, so a replay of old observations runs neither.</summary>
    private async Task<ObserverResult> ObserveOutboundAsync(PolicySet policies, ObservationSet observations, CancellationToken cancellationToken)
    {
        if (settings.Replay is not null)
            return ObserverResult.Note("probes and egress were not run: this run replays observations");
        var outbound = new OutboundObserver(new HttpProber(ProbeTimeouts.Default), Dns.ResolveAsync);
        var probes = await outbound.ProbeAsync(policies, observations, cancellationToken).ConfigureAwait(false);
        return settings.AsksEgress ? probes.And(await outbound.DiscoverEgressAsync(policies, cancellationToken).ConfigureAwait(false)) : probes;
    }

    private ObserverResult ObserveLive(PolicySet policies) =>
        settings.LiveDumps is { } live ? LiveDrift.Compare(policies, ReadLiveDumps(live)) : ObserverResult.None;

    private static Dictionary<string, string> ReadLiveDumps(string directory)
    {
        if (!Directory.Exists(directory))
            throw ReconcilerException.InvalidArgument("live", $"directory '{directory}' does not exist");
        return Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
    }
}
