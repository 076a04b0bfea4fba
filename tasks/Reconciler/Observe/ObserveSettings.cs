using Reconciler.Dns.Transport;

namespace Reconciler.Observe;

/// <summary>What a run's observation takes from its arguments, as plain values (README "Arguments").</summary>
/// <param name="NameServers">The servers of <c>--nameservers</c>.</param>
/// <param name="SystemNameServers">Also ask those of resolv.conf (<c>--nameservers=system</c>, or none given).</param>
/// <param name="Replay"><c>--observations</c>: a saved run's DNS answers to replay instead of asking the network.</param>
/// <param name="LiveDumps"><c>--live</c>: the folder of hosts' dumps to compare with the policies.</param>
/// <param name="AsksEgress">Egress is the run's, not a dependency's: of several shards, one asks.</param>
/// <param name="OnGitHubHostedRunner">Outbound findings then describe GitHub's machine, and become notes (README "Where to run it").</param>
public sealed record ObserveSettings(
    IReadOnlyList<NameServer> NameServers,
    bool SystemNameServers,
    DateTimeOffset Now,
    string? Replay = null,
    string? LiveDumps = null,
    bool AsksEgress = true,
    bool OnGitHubHostedRunner = false);
