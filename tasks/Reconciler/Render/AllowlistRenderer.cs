using Reconciler.Policies.Model;

namespace Reconciler.Render;

/// <summary>One file of a rendered allowlist, its path relative to <c>--out/rendered/</c>.</summary>
public sealed record RenderedFile(string Path, string Text);

/// <summary>Renders the allowlists of one kind into the files that deploy them.</summary>
public interface IAllowlistRenderer
{
    AllowlistKind Kind { get; }

    IReadOnlyList<RenderedFile> Files(PolicySet policies, Allowlist allowlist);
}

/// <summary>
/// The renderer of each allowlist kind, registered here once. A kind without one is refused at render time
/// (and by a test), never rendered as another kind.
/// </summary>
public static class AllowlistRenderers
{
    public static readonly IReadOnlyList<IAllowlistRenderer> All = [new IptablesFiles(), new SquidFiles(), new NftablesFiles()];

    public static IAllowlistRenderer For(AllowlistKind kind) =>
        All.FirstOrDefault(r => r.Kind == kind) ?? throw new InvalidOperationException($"allowlist kind {kind} has no renderer in AllowlistRenderers.All");

    private sealed class IptablesFiles : IAllowlistRenderer
    {
        public AllowlistKind Kind => AllowlistKind.Iptables;

        public IReadOnlyList<RenderedFile> Files(PolicySet policies, Allowlist allowlist)
        {
            var rendering = IptablesRenderer.Render(policies, allowlist);
            return
            [
                new(System.IO.Path.Combine("iptables", allowlist.Name + ".ipset"), rendering.Ipsets),
                new(System.IO.Path.Combine("iptables", allowlist.Name + ".v4"), rendering.Ipv4Rules),
                new(System.IO.Path.Combine("iptables", allowlist.Name + ".v6"), rendering.Ipv6Rules),
            ];
        }
    }

    private sealed class SquidFiles : IAllowlistRenderer
    {
        public AllowlistKind Kind => AllowlistKind.Proxy;

        public IReadOnlyList<RenderedFile> Files(PolicySet policies, Allowlist allowlist) =>
            [new(System.IO.Path.Combine("squid", allowlist.Name + ".conf"), SquidRenderer.Render(policies, allowlist).Include)];
    }

    private sealed class NftablesFiles : IAllowlistRenderer
    {
        public AllowlistKind Kind => AllowlistKind.Nftables;

        public IReadOnlyList<RenderedFile> Files(PolicySet policies, Allowlist allowlist) =>
            [new(System.IO.Path.Combine("nftables", allowlist.Name + ".nft"), NftablesRenderer.Render(policies, allowlist).Text)];
    }
}
