using Reconciler.Diagnostics;
using Reconciler.Policies.Model;

namespace Reconciler.Policies.Loading;

/// <summary>What one policy file declares, before the files are merged and cross-checked.</summary>
internal sealed record PolicyFragment(
    string File,
    IReadOnlyList<Dependency> Dependencies,
    IReadOnlyList<Identity> Identities,
    IReadOnlyList<Allowlist> Allowlists,
    IReadOnlyList<IgnoreEntry> Ignores,
    IReadOnlyList<SettingValue> Settings)
{
    public IReadOnlyList<PrefixSet> PrefixSets { get; init; } = [];
}

/// <summary>One key of a <c>settings:</c> block; files may each set different keys, never the same one twice.</summary>
internal sealed record SettingValue(string Key, SourceLocation Location, Func<PolicySettings, PolicySettings> Apply);
