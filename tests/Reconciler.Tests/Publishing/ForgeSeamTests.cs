using Reconciler.Publishing;
using Reconciler.Tests.Architecture;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// README "Another forge": Publishing decides and carries out through <see cref="IForge"/> and names no forge, so a
/// second forge is a folder beside GitHub/ and not a change to Publishing.
/// </summary>
public sealed class ForgeSeamTests
{
    private static readonly NamespaceGraph Library = NamespaceGraph.Of(typeof(IForge).Assembly.Location, "Reconciler");

    [Fact]
    public void Publishing_uses_no_forge_and_GitHub_is_a_forge_behind_it()
    {
        var publishing = Library.Edges["Reconciler.Publishing"];

        Assert.False(publishing.ContainsKey("Reconciler.GitHub"), "Publishing uses " + string.Join(", ", publishing.GetValueOrDefault("Reconciler.GitHub") ?? []));
        // Positive control: the reader sees the edge the other way, so the assertion above is not vacuous.
        Assert.Contains("Reconciler.Publishing", Library.Edges["Reconciler.GitHub"].Keys);
        Assert.Contains(typeof(IForge), typeof(global::Reconciler.GitHub.GitHubForge).GetInterfaces());
    }
}
