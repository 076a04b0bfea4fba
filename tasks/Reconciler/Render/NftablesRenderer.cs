using System.Text;
using Reconciler.Policies.Model;

namespace Reconciler.Render;

/// <summary>An nftables allowlist, ready to load with <c>nft -f Text</c>; <see cref="Sets"/> are named within <see cref="Table"/>.</summary>
public sealed record NftablesRendering(string Allowlist, string Table, string Text, IReadOnlyList<RenderedSet> Sets);

/// <summary>
/// Renders an nftables allowlist as an <c>inet</c> table of its own: one named set per dependency, set of ports and
/// family, and an output chain that admits them on their ports and rejects other new TCP with a reset, as the
/// iptables chain does. The file first declares the table, deletes it and defines it again: <c>nft -f</c> applies a
/// file as one transaction, so a reload swaps the whole table at once and packets never meet a half-loaded one.
/// Names come from policy names (letters, digits, hyphens); policy text reaches the file only as comment lines.
/// </summary>
public static class NftablesRenderer
{
    public static NftablesRendering Render(PolicySet policies, Allowlist allowlist)
    {
        var table = RenderNames.NftTable(allowlist.Name);
        var sets = RenderedSets.Of(policies, allowlist, RenderNames.NftSet);
        var text = new StringBuilder(IptablesRenderer.Header(allowlist, $"load with `nft -f FILE`, which replaces table inet {table} only."));
        text.Append($"table inet {table} {{}}\n");
        text.Append($"delete table inet {table}\n");
        text.Append($"table inet {table} {{\n");
        foreach (var set in sets)
        {
            text.Append($"\tset {set.Name} {{\n");
            text.Append($"\t\ttype {(set.Family == 4 ? "ipv4_addr" : "ipv6_addr")}\n");
            text.Append("\t\tflags interval\n");
            // Overlapping prefixes (a rule's /24 inside a prefix set's /16) would be refused as conflicting intervals.
            text.Append("\t\tauto-merge\n");
            text.Append($"\t\telements = {{ {string.Join(", ", set.Entries)} }}\n");
            text.Append("\t}\n");
        }
        text.Append("\tchain output {\n");
        text.Append("\t\ttype filter hook output priority 0; policy accept;\n");
        text.Append("\t\toifname \"lo\" accept\n");
        text.Append("\t\tct state established,related accept\n");
        foreach (var set in sets)
        {
            var ports = set.Ports.Count == 1 ? set.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{{ {string.Join(", ", set.Ports)} }}";
            text.Append("\t\t").Append(RenderText.CommentLine($"{set.Dependency} {set.Location}"));
            text.Append($"\t\t{(set.Family == 4 ? "ip" : "ip6")} daddr @{set.Name} tcp dport {ports} accept\n");
        }
        text.Append("\t\tmeta l4proto tcp reject with tcp reset\n");
        text.Append("\t}\n");
        text.Append("}\n");
        return new NftablesRendering(allowlist.Name, table, text.ToString(), sets);
    }
}
