using Reconciler.Diagnostics;
using Reconciler.Policies.Model;

namespace Reconciler.Policies.Loading;

/// <summary>Merges the files' fragments into one <see cref="PolicySet"/> and checks what spans files: names and references.</summary>
internal static class PolicyMerger
{
    public static PolicySet Merge(IReadOnlyList<PolicyFragment> fragments, List<PolicyError> errors)
    {
        var dependencies = Unique(fragments.SelectMany(f => f.Dependencies), d => d.Name, d => d.Location, "dependency", errors);
        var identities = Unique(fragments.SelectMany(f => f.Identities), i => i.Name, i => i.Location, "identity", errors);
        var allowlists = Unique(fragments.SelectMany(f => f.Allowlists), a => a.Name, a => a.Location, "allowlist", errors);
        var prefixSets = Unique(fragments.SelectMany(f => f.PrefixSets), s => s.Name, s => s.Location, "prefix set", errors);
        var set = new PolicySet
        {
            Files = [.. fragments.Select(f => f.File)],
            Dependencies = dependencies,
            Identities = identities,
            Allowlists = PrefixSetReferences.Resolve(allowlists, prefixSets, errors),
            PrefixSets = prefixSets,
            Ignores = [.. fragments.SelectMany(f => f.Ignores)],
            Settings = MergeSettings(fragments.SelectMany(f => f.Settings), errors),
        };
        CheckReferences(set, errors);
        return set;
    }

    private static List<T> Unique<T>(IEnumerable<T> items, Func<T, string> name, Func<T, SourceLocation> at, string what, List<PolicyError> errors)
    {
        var first = new Dictionary<string, T>(StringComparer.Ordinal);
        var result = new List<T>();
        foreach (var item in items)
        {
            if (first.TryGetValue(name(item), out var earlier))
            {
                errors.Add(new PolicyError(at(item), $"{what} '{name(item)}' is already defined at {at(earlier)}; names are unique across all policy files"));
                continue;
            }
            first.Add(name(item), item);
            result.Add(item);
        }
        return result;
    }

    private static PolicySettings MergeSettings(IEnumerable<SettingValue> values, List<PolicyError> errors)
    {
        var settings = PolicySettings.Default;
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (seen.TryGetValue(value.Key, out var earlier))
            {
                errors.Add(new PolicyError(value.Location, $"settings.{value.Key} is already set at {earlier}; set each setting in one file only"));
                continue;
            }
            seen.Add(value.Key, value.Location);
            settings = value.Apply(settings);
        }
        return settings;
    }

    private static void CheckReferences(PolicySet set, List<PolicyError> errors)
    {
        var dependencyNames = set.Dependencies.Select(d => d.Name).ToList();
        var identityNames = set.Identities.Select(i => i.Name).ToList();
        var proxyNames = set.Allowlists.Where(a => a.Facts().HasProxyUrl).Select(a => a.Name).ToList();

        foreach (var dependency in set.Dependencies)
        {
            if (dependency.Identity is { } identity && !identityNames.Contains(identity))
                errors.Add(Unknown(dependency.Location, $"dependency '{dependency.Name}' names identity '{identity}'", "identity", identity, identityNames));
        }
        foreach (var identity in set.Identities)
        {
            if (identity.Proxy is not { } proxy || proxyNames.Contains(proxy))
                continue;
            var message = set.FindAllowlist(proxy) is { } other
                ? new PolicyError(identity.Location, $"identity '{identity.Name}' names proxy '{proxy}', but that allowlist is of kind {other.Facts().Name}, not proxy")
                : Unknown(identity.Location, $"identity '{identity.Name}' names proxy '{proxy}'", "proxy allowlist", proxy, proxyNames);
            errors.Add(message);
        }
        foreach (var allowlist in set.Allowlists)
        {
            foreach (var rule in allowlist.Rules)
            {
                if (!dependencyNames.Contains(rule.Dependency))
                    errors.Add(Unknown(rule.Location, $"a rule of allowlist '{allowlist.Name}' names dependency '{rule.Dependency}'", "dependency", rule.Dependency, dependencyNames));
            }
        }
        foreach (var ignore in set.Ignores)
        {
            if (ignore.Dependency is { } name && !dependencyNames.Contains(name))
                errors.Add(Unknown(ignore.Location, $"an ignore entry names dependency '{name}'", "dependency", name, dependencyNames));
        }
    }

    private static PolicyError Unknown(SourceLocation at, string subject, string what, string name, IReadOnlyList<string> known) =>
        new(at, $"{subject}, but no {what} has that name{Validation.DidYouMean.Suffix(name, known)}");
}
