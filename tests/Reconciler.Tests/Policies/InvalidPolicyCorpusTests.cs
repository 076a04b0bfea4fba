using Reconciler.Policies.Loading;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Policies;

/// <summary>
/// Every case under Corpus/Invalid is a policy file (or a folder of them) that must fail to load with exactly
/// the errors its <c># expect: line:col: message</c> comments list: no error missed, none added.
/// </summary>
public sealed class InvalidPolicyCorpusTests
{
    private const string ExpectMarker = "# expect: ";

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(RepoPaths.Corpus("Invalid")).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(entry));
        return data;
    }

    [Fact]
    public void The_corpus_has_at_least_thirty_cases() => Assert.True(Cases().Count >= 30, $"{Cases().Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_malformed_policy_gives_exactly_its_expected_errors(string name)
    {
        var path = RepoPaths.Corpus("Invalid", name);
        var isFolder = Directory.Exists(path);
        var files = isFolder ? Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray() : [path];

        var expected = files
            .SelectMany(f => File.ReadLines(f).Where(l => l.StartsWith(ExpectMarker, StringComparison.Ordinal))
                .Select(l => l[ExpectMarker.Length..])
                .Select(l => isFolder ? l : $"{name}:{l}"))
            .ToList();

        var result = isFolder
            ? PolicyDirectory.Load(path, displayRoot: path)
            : PolicyParser.Parse([new PolicySource(name, File.ReadAllText(path))]);

        Assert.False(result.IsValid);
        Assert.Null(result.Policies);
        var actual = result.Errors.Select(e => e.ToString()).ToList();
        Assert.True(expected.Count > 0 && expected.SequenceEqual(actual),
            $"expected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", actual)}");
    }
}
