using Amazon;
using Reconciler.Providers;

namespace Reconciler.Policies.Validation;

/// <summary>
/// The providers, services and regions a <c>provider:</c> block may name: service and region names as the
/// providers' own feeds spell them (from the embedded snapshot), and AWS regions from AWSSDK.Core plus the
/// feed's <c>GLOBAL</c>.
/// </summary>
public static class ProviderCatalog
{
    public sealed record Provider(string Name, IReadOnlySet<string> Services, IReadOnlySet<string> Regions);

    private static readonly Lazy<IReadOnlyDictionary<string, Provider>> Catalog = new(() => Build(ProviderSnapshot.Default));

    public static IReadOnlyDictionary<string, Provider> Providers => Catalog.Value;

    internal static IReadOnlyDictionary<string, Provider> Build(ProviderSnapshot snapshot)
    {
        HashSet<string> Named(string provider, Func<ProviderPrefix, string> field) =>
            [.. snapshot.Prefixes.Where(p => p.Provider == provider).Select(field).Where(v => v != "-")];
        HashSet<string> awsRegions = [.. RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Where(n => !n.EndsWith("-regional", StringComparison.Ordinal)), "GLOBAL"];
        return new Dictionary<string, Provider>
        {
            ["aws"] = new("aws", Named("aws", p => p.Service), awsRegions),
            ["cloudflare"] = new("cloudflare", Named("cloudflare", p => p.Service), Named("cloudflare", p => p.Region)),
            ["github"] = new("github", Named("github", p => p.Service), Named("github", p => p.Region)),
            ["google"] = new("google", Named("google", p => p.Service), Named("google", p => p.Region)),
        };
    }
}
