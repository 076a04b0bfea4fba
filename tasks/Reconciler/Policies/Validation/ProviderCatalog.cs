using Reconciler.Providers;

namespace Reconciler.Policies.Validation;

/// <summary>
/// The providers, services and regions a <c>provider:</c> block may name: service and region names as the
/// providers' own feeds spell them (from the embedded snapshot), or as a feed says otherwise
/// (<see cref="ProviderFeed.Regions"/>).
/// </summary>
public static class ProviderCatalog
{
    public sealed record Provider(string Name, IReadOnlySet<string> Services, IReadOnlySet<string> Regions);

    private static readonly Lazy<IReadOnlyDictionary<string, Provider>> Catalog = new(() => Build(ProviderSnapshot.Default));

    public static IReadOnlyDictionary<string, Provider> Providers => Catalog.Value;

    internal static IReadOnlyDictionary<string, Provider> Build(ProviderSnapshot snapshot) =>
        ProviderFeeds.All.ToDictionary(f => f.Name, f =>
        {
            var own = snapshot.Prefixes.Where(p => p.Provider == f.Name).ToList();
            return new Provider(f.Name, f.Services(own), f.Regions(own));
        });
}
