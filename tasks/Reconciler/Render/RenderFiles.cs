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
            foreach (var file in AllowlistRenderers.For(allowlist.Kind).Files(policies, allowlist))
                written.Add(AtomicFile.Write(Path.Combine(root, file.Path), file.Text));
        }
        return written;
    }
}
