using Reconciler.Observe;
using Reconciler.Policies.Model;
using Reconciler.Render;

namespace Reconciler.Tests.Render;

/// <summary>Every allowlist kind declares its capabilities, a renderer and a live-drift reader: none falls through to another kind.</summary>
public sealed class AllowlistKindTests
{
    [Fact]
    public void Every_kind_has_one_capabilities_row_a_renderer_and_a_live_reader()
    {
        var kinds = Enum.GetValues<AllowlistKind>();

        Assert.Equal(kinds.Order(), AllowlistKinds.All.Select(f => f.Kind).Order());
        // The name is how policies spell the kind (the binder reads it from the row): one each, in a policy's alphabet.
        Assert.Equal(AllowlistKinds.All.Count, AllowlistKinds.All.Select(f => f.Name).Distinct().Count());
        Assert.All(AllowlistKinds.All, f => Assert.Matches("^[a-z][a-z0-9-]*$", f.Name));
        Assert.Equal(kinds.Order(), AllowlistRenderers.All.Select(r => r.Kind).Order());
        Assert.Equal(kinds.Order(), LiveDrift.KindsRead.Order());
    }

    [Fact]
    public void A_kind_without_a_row_is_refused_not_rendered_as_another()
    {
        var unknown = (AllowlistKind)99;

        Assert.Throws<InvalidOperationException>(() => unknown.Facts());
        Assert.Throws<InvalidOperationException>(() => AllowlistRenderers.For(unknown));
    }
}
