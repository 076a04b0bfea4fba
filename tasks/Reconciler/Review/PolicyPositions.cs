using Reconciler.Diagnostics;
using Reconciler.Policies.Model;
using Reconciler.Yaml;

namespace Reconciler.Review;

/// <summary>
/// Where a key's value is written in the working tree, found again in the files' YAML trees: the policy records keep
/// the place of a dependency, a rule or an ignore entry, and a review points at the very line that changed (a
/// <c>track:</c>, a port, <c>settings.stale_after</c>). A place it cannot find falls back to the enclosing record.
/// </summary>
internal sealed class PolicyPositions(PolicySet policies)
{
    private readonly Dictionary<string, YamlNode?> _trees = new(StringComparer.Ordinal);

    /// <summary>The value of <paramref name="key"/> in the mapping that starts at <paramref name="mapping"/>.</summary>
    public SourceLocation? Value(SourceLocation mapping, string key) => Entry(mapping, key)?.Location;

    /// <summary>The item of the list under <paramref name="key"/> whose text is <paramref name="item"/>, else the list itself.</summary>
    public SourceLocation? Item(SourceLocation mapping, string key, string item) => Entry(mapping, key) switch
    {
        YamlSequence list => list.Items.OfType<YamlScalar>().FirstOrDefault(s => s.Value.Trim() == item)?.Location ?? list.Location,
        { } other => other.Location,
        null => null,
    };

    /// <summary>Where <c>settings.<paramref name="key"/></c> is set, else where a <c>settings:</c> block is, else null.</summary>
    public SourceLocation? Setting(string key)
    {
        SourceLocation? block = null;
        foreach (var file in policies.Files)
        {
            if (Tree(file) is not YamlMapping root || Get(root, "settings") is not YamlMapping settings)
                continue;
            if (Get(settings, key) is { } value)
                return value.Location;
            block ??= settings.Location;
        }
        return block;
    }

    private YamlNode? Entry(SourceLocation mapping, string key) =>
        Tree(mapping.File) is { } root && Find(root, mapping) is { } found ? Get(found, key) : null;

    private YamlNode? Tree(string file)
    {
        if (!_trees.TryGetValue(file, out var root))
        {
            root = policies.Sources.TryGetValue(file, out var text) ? YamlTreeReader.Read(text, file).Root : null;
            _trees[file] = root;
        }
        return root;
    }

    private static YamlNode? Get(YamlMapping mapping, string key) =>
        mapping.Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    private static YamlMapping? Find(YamlNode node, SourceLocation at)
    {
        if (node is YamlMapping mapping && mapping.Location == at)
            return mapping;
        var children = node switch
        {
            YamlMapping m => m.Entries.Select(e => e.Value),
            YamlSequence s => s.Items,
            _ => [],
        };
        foreach (var child in children)
        {
            if (Find(child, at) is { } found)
                return found;
        }
        return null;
    }
}
