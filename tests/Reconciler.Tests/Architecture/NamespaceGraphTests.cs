using Reconciler.Run;
using Xunit.Abstractions;

namespace Reconciler.Tests.Architecture;

/// <summary>
/// The library's namespaces form a DAG (README "Layout"): a reader can start at the leaves and
/// climb, and no folder needs another that needs it back.
/// </summary>
public sealed class NamespaceGraphTests(ITestOutputHelper output)
{
    private static readonly NamespaceGraph Library = NamespaceGraph.Of(typeof(ReconcilerRun).Assembly.Location, "Reconciler");

    [Fact]
    public void The_library_namespaces_have_no_cycle()
    {
        output.WriteLine(Library.Describe("Reconciler"));
        var cycles = Library.Cycles();

        Assert.True(cycles.Count == 0, string.Join("\n\n", cycles.Select(Explain)));
    }

    [Fact]
    public void The_readme_lists_the_folders_leaves_first_and_every_one_of_them()
    {
        var readme = File.ReadAllText(Path.Combine(Support.RepoPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var table = readme[readme.IndexOf("| folder | what |", StringComparison.Ordinal)..];
        table = table[..(table.IndexOf("\n\n", StringComparison.Ordinal) is var end and >= 0 ? end : table.Length)];
        // Dns/ stands for its five namespaces, which are ordered among themselves by the cycle test.
        string Folder(string ns) => ns.StartsWith("Reconciler.Dns.", StringComparison.Ordinal) ? "Dns/" : ns["Reconciler.".Length..].Replace('.', '/') + "/";
        var order = table.Split('\n').Skip(2).Where(row => row.StartsWith('|')).Select(row => row.Split('`')[1]).ToList();

        Assert.Equal(Library.Edges.Keys.Select(Folder).Distinct().Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal));
        var late = Library.Edges.SelectMany(e => e.Value.Keys.Where(used => Folder(used) != Folder(e.Key) && order.IndexOf(Folder(used)) > order.IndexOf(Folder(e.Key)))
            .Select(used => $"{Folder(e.Key)} uses {Folder(used)}, listed after it")).ToList();
        Assert.True(late.Count == 0, string.Join("\n", late));
    }

    [Fact]
    public void The_graph_reader_sees_uses_inside_method_bodies()
    {
        // BodyOnlyUse (CycleProbe.cs) names Support in its body and nowhere else: no signature, field or base type.
        var tests = NamespaceGraph.Of(typeof(NamespaceGraphTests).Assembly.Location, "Reconciler.Tests");

        Assert.Contains("Reconciler.Tests.Support", tests.Edges["Reconciler.Tests.Architecture"].Keys);
    }

    [Fact]
    public void A_cycle_is_found_and_named()
    {
        var tests = NamespaceGraph.Of(typeof(NamespaceGraphTests).Assembly.Location, "Reconciler.Tests.Architecture");

        var cycle = Assert.Single(tests.Cycles());
        Assert.Equal(["Reconciler.Tests.Architecture.CycleA", "Reconciler.Tests.Architecture.CycleB"], cycle);
    }

    private string Explain(IReadOnlyList<string> cycle)
    {
        var inside = cycle.ToHashSet(StringComparer.Ordinal);
        var lines = cycle.SelectMany(from => Library.Edges[from].Where(e => inside.Contains(e.Key))
            .Select(e => $"  {from} → {e.Key}: {string.Join(", ", e.Value.Take(4))}{(e.Value.Count > 4 ? $", … ({e.Value.Count})" : "")}"));
        return $"a cycle among {string.Join(", ", cycle)}:\n{string.Join('\n', lines)}";
    }
}
