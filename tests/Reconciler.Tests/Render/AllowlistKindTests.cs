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
        Assert.All(AllowlistKinds.All, f => Assert.Equal(f.Kind.ToString().ToLowerInvariant(), f.Name));
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
