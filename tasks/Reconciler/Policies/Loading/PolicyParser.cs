using Reconciler.Diagnostics;
using Reconciler.Policies.Model;
using Reconciler.Yaml;

namespace Reconciler.Policies.Loading;

/// <summary>The result of loading policies: the set when there is no error, and every error found.</summary>
public sealed record PolicyLoadResult(PolicySet? Policies, IReadOnlyList<PolicyError> Errors)
{
    public bool IsValid => Errors.Count == 0 && Policies is not null;
}

/// <summary>Policy texts in, a validated <see cref="PolicySet"/> or all errors out. Pure: no file system, no network.</summary>
public static class PolicyParser
{
    public static PolicyLoadResult Parse(IReadOnlyList<PolicySource> sources)
    {
        var errors = new List<PolicyError>();
        var fragments = new List<PolicyFragment>();
        foreach (var source in sources)
        {
            var tree = YamlTreeReader.Read(source.Text, source.DisplayPath);
            errors.AddRange(tree.Errors);
            if (tree.Errors.Count > 0)
                continue;
            if (tree.Root is null || tree.Root is YamlScalar { IsNull: true })
            {
                errors.Add(new PolicyError(new SourceLocation(source.DisplayPath, 1, 1), "the policy file is empty; delete it or declare dependencies, identities or allowlists"));
                continue;
            }
            fragments.Add(new PolicyBinder(source.DisplayPath, errors).Bind(tree.Root));
        }
        var set = PolicyMerger.Merge(fragments, errors);
        var ordered = errors
            .OrderBy(e => e.Location.File, StringComparer.Ordinal)
            .ThenBy(e => e.Location.Line)
            .ThenBy(e => e.Location.Column)
            .ToList();
        set = set with
        {
            Sources = sources.ToDictionary(s => s.DisplayPath, s => s.Text, StringComparer.Ordinal),
            RepositoryPaths = sources.ToDictionary(s => s.DisplayPath, s => s.RepositoryPath ?? s.DisplayPath.TrimStart('/'), StringComparer.Ordinal),
        };
        return new PolicyLoadResult(ordered.Count == 0 ? set : null, ordered);
    }
}
