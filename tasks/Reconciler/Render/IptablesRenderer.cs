using System.Text;
using Reconciler.Policies.Model;

namespace Reconciler.Render;

/// <summary>
/// Renders an iptables allowlist as its own chain plus one ipset per dependency and set of ports. The chain
/// governs outbound TCP: it admits what the YAML declares and rejects the rest with a TCP reset, so a blocked
/// connection fails at once instead of hanging; other protocols (DNS over UDP…) fall through to the host's own
/// OUTPUT rules. Loaded with <c>--noflush</c>, it replaces only its own chain. Same input, same bytes.
/// </summary>
public static class IptablesRenderer
{
    public static IptablesRendering Render(PolicySet policies, Allowlist allowlist)
    {
        var chain = RenderNames.Chain(allowlist.Name);
        var sets = RenderedSets.Of(policies, allowlist, RenderNames.Set);
        return new IptablesRendering(allowlist.Name, chain, Ipsets(allowlist, sets), Rules(allowlist, chain, sets, 4), Rules(allowlist, chain, sets, 6), sets);
    }

    internal static string Header(Allowlist allowlist, string what) =>
        RenderText.CommentLine($"Rendered by Reconciler from the policies: allowlist {allowlist.Name}" +
            (allowlist.Hosts.Count > 0 ? $" (hosts {string.Join(", ", allowlist.Hosts)})" : "") + $". Do not edit: {what}");

    /// <summary>
    /// Each set is filled under a temporary name and swapped in, so a packet checked during a reload sees the old
    /// set or the new one, never a flushed one (README "Deploying the rendered files"); the live set is created only
    /// when missing, never flushed, and the old contents go with the temporary set.
    /// </summary>
    private static string Ipsets(Allowlist allowlist, List<RenderedSet> sets)
    {
        var text = new StringBuilder(Header(allowlist, "load with `ipset restore < FILE`, before the rules."));
        foreach (var set in sets)
        {
            var family = set.Family == 4 ? "inet" : "inet6";
            var next = RenderNames.Swap(set.Name);
            text.Append($"create {set.Name} hash:net family {family} -exist\n");
            text.Append($"create {next} hash:net family {family} -exist\n");
            text.Append($"flush {next}\n");
            foreach (var entry in set.Entries)
                text.Append($"add {next} {entry} -exist\n");
            text.Append($"swap {next} {set.Name}\n");
            text.Append($"destroy {next}\n");
        }
        return text.ToString();
    }

    private static string Rules(Allowlist allowlist, string chain, List<RenderedSet> sets, int family)
    {
        var tool = family == 4 ? "iptables" : "ip6tables";
        var text = new StringBuilder(Header(allowlist, $"load with `{tool}-restore --noflush < FILE`, which replaces chain {chain} only."));
        text.Append($"# Hook it once: {tool} -C OUTPUT -j {chain} || {tool} -A OUTPUT -j {chain}\n");
        text.Append("*filter\n");
        text.Append($":{chain} - [0:0]\n");
        text.Append($"-A {chain} -o lo -j ACCEPT\n");
        text.Append($"-A {chain} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n");
        foreach (var set in sets.Where(s => s.Family == family))
        {
            var ports = set.Ports.Count == 1 ? $"--dport {set.Ports[0]}" : $"-m multiport --dports {string.Join(',', set.Ports)}";
            text.Append($"-A {chain} -p tcp -m set --match-set {set.Name} dst {ports} -m comment --comment {RenderText.IptablesComment($"{set.Dependency} {set.Location}")} -j ACCEPT\n");
        }
        text.Append($"-A {chain} -p tcp -j REJECT --reject-with tcp-reset\n");
        text.Append("COMMIT\n");
        return text.ToString();
    }
}
