using System.Net;
using Reconciler.Policies.Model;
using Reconciler.Providers;

namespace Reconciler.Engine;

/// <summary>
/// Whether a prefix is one the dependency's own provider publishes for its service and region: a rule that admits
/// exactly that follows the provider, and calling it over-broad would contradict the advice to track the provider.
/// </summary>
internal static class PublishedByOwnProvider
{
    public static Func<string, IPNetwork, bool> For(PolicySet policies, ProviderKnowledge? providers)
    {
        if (providers is null)
            return (_, _) => false;
        var byDependency = policies.Dependencies
            .Where(d => d.Track == TrackMode.Provider && d.Provider is not null)
            .ToDictionary(d => d.Name, d => providers.Published(d.Provider!).Select(p => p.Prefix).ToHashSet(), StringComparer.Ordinal);
        return (dependency, network) => byDependency.TryGetValue(dependency, out var prefixes) && prefixes.Contains(network);
    }
}
