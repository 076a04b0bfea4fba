using System.Text;
using Reconciler.Policies.Model;

namespace Reconciler.Render;

/// <summary>One squid ACL of a rendered proxy allowlist.</summary>
public sealed record RenderedAcl(string Name, string Dependency, string Type, IReadOnlyList<string> Values);

public sealed record SquidRendering(string Allowlist, string Include, IReadOnlyList<RenderedAcl> Acls);

/// <summary>
/// Renders a proxy allowlist as a squid include: per dependency, a <c>port</c> ACL and <c>dstdomain -n</c> /
/// <c>dst -n</c> ACLs (<c>-n</c>: squid never does DNS for them), and one <c>http_access allow</c> line each.
/// It goes before the configuration's own <c>http_access deny all</c>. Same input, same bytes.
/// </summary>
public static class SquidRenderer
{
    public static SquidRendering Render(PolicySet policies, Allowlist allowlist)
    {
        var acls = new List<RenderedAcl>();
        var access = new StringBuilder();
        foreach (var rules in allowlist.Rules.GroupBy(r => r.Dependency))
        {
            var dependency = policies.FindDependency(rules.Key);
            var ports = rules.SelectMany(r => r.Ports.Count > 0 ? r.Ports : dependency?.Ports ?? [443]).Distinct().Order().Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var domains = WithoutCovered([.. rules.SelectMany(r => r.Domains).Select(d => d.Value).Distinct()]);
            var addresses = rules.SelectMany(r => r.Admits).Select(d => d.Value.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
            var portAcl = new RenderedAcl(RenderNames.Acl(allowlist.Name, rules.Key, "ports"), rules.Key, "port", ports);
            acls.Add(portAcl);
            access.Append(RenderText.CommentLine($"{rules.Key}: {rules.First().Location}"));
            foreach (var (what, type, values) in new[] { ("domains", "dstdomain -n", domains), ("addresses", "dst -n", addresses) })
            {
                if (values.Count == 0)
                    continue;
                var acl = new RenderedAcl(RenderNames.Acl(allowlist.Name, rules.Key, what), rules.Key, type, values);
                acls.Add(acl);
                access.Append($"http_access allow {acl.Name} {portAcl.Name}\n");
            }
        }
        var text = new StringBuilder(RenderText.CommentLine($"Rendered by Reconciler from the policies: proxy allowlist {allowlist.Name}. Do not edit."));
        text.Append("# Include it before the configuration's own `http_access deny all`.\n");
        foreach (var acl in acls)
            text.Append($"acl {acl.Name} {acl.Type} {string.Join(' ', acl.Values)}\n");
        text.Append(access);
        return new SquidRendering(allowlist.Name, text.ToString(), acls);
    }

    /// <summary>Squid warns about (and ignores) a name that a <c>.domain</c> in the same ACL already covers.</summary>
    private static List<string> WithoutCovered(List<string> domains) =>
    [
        .. domains.Where(d => !domains.Any(other => other != d && other.StartsWith('.') && (d.EndsWith(other, StringComparison.Ordinal) || d == other[1..])))
            .Order(StringComparer.Ordinal),
    ];
}
