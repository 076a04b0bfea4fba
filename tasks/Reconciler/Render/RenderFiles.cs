using Reconciler.Files;
using Reconciler.Policies.Model;

namespace Reconciler.Render;

/// <summary>Writes every allowlist's deployable files under <c>--out/rendered/</c>, replacing what an earlier run left.</summary>
public static class RenderFiles
{
    public static IReadOnlyList<string> Write(PolicySet policies, string outDirectory)
    {
        var root = Path.Combine(outDirectory, "rendered");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        var written = new List<string>();
        foreach (var allowlist in policies.Allowlists)
        {
            if (allowlist.Kind == AllowlistKind.Iptables)
            {
                var rendering = IptablesRenderer.Render(policies, allowlist);
                var folder = Path.Combine(root, "iptables");
                written.Add(AtomicFile.Write(Path.Combine(folder, allowlist.Name + ".ipset"), rendering.Ipsets));
                written.Add(AtomicFile.Write(Path.Combine(folder, allowlist.Name + ".v4"), rendering.Ipv4Rules));
                written.Add(AtomicFile.Write(Path.Combine(folder, allowlist.Name + ".v6"), rendering.Ipv6Rules));
            }
            else
            {
                written.Add(AtomicFile.Write(Path.Combine(root, "squid", allowlist.Name + ".conf"), SquidRenderer.Render(policies, allowlist).Include));
            }
        }
        return written;
    }
}
