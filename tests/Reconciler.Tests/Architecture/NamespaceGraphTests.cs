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
