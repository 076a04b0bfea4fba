using Reconciler.Planning;

namespace Reconciler.Tests.Yaml;

/// <summary>
/// Real-looking policy files (Corpus/YamlEdits): each is planned against the DNS answers its first line names
/// (<c># dns: host A Answer ip,ip</c>) and the edited file must equal <c>NAME.expected.yaml</c> byte for byte:
/// every comment, blank line, quoting style and line ending the edit does not concern stays as it was.
/// </summary>
public sealed class YamlEditCorpusTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Corpus", "YamlEdits");

    private static List<string> Names() =>
        [.. Directory.EnumerateFiles(Folder, "*.yaml").Where(f => !f.EndsWith(".expected.yaml", StringComparison.Ordinal)).Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Cases() => [.. Names()];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_edited_file_is_the_expected_file_byte_for_byte(string name)
    {
        var before = File.ReadAllText(Path.Combine(Folder, name + ".yaml"));
        var expected = File.ReadAllText(Path.Combine(Folder, name + ".expected.yaml"));
        var dns = before.Split('\n').Where(l => l.StartsWith("# dns: ", StringComparison.Ordinal)).Select(l => l["# dns: ".Length..].TrimEnd('\r')).ToList();

        var policies = Engine.DriftEngineTests.Parse(before);
        var observations = Engine.DriftEngineTests.Observations(dns);
        var now = Engine.DriftEngineTests.Now;
        var memory = Engine.DriftEngineTests.Daily(observations);
        var plan = Planner.Plan(policies, Reconciler.Tests.Engine.DriftEngineTests.Diff(policies, observations, memory, now));

        var pr = Assert.Single(plan.PullRequests);
        Assert.Null(pr.Failure);
        var after = pr.EditedFiles(policies.Sources)["p.yaml"];
        Assert.Equal(expected, after);
    }

    [Fact]
    public void The_corpus_holds_crlf_files_and_every_case_has_its_expected_file()
    {
        var names = Names();
        Assert.True(names.Count >= 10, $"{names.Count} cases");
        Assert.Contains(names, n => File.ReadAllText(Path.Combine(Folder, n + ".yaml")).Contains("\r\n", StringComparison.Ordinal));
        Assert.All(names, n => Assert.True(File.Exists(Path.Combine(Folder, n + ".expected.yaml")), n));
    }
}
