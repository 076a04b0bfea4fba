using Reconciler.Diagnostics;

namespace Reconciler.Render;

/// <summary>One ipset of a rendered allowlist: the addresses one dependency may reach on one set of ports.</summary>
public sealed record RenderedSet(string Name, string Dependency, int Family, IReadOnlyList<int> Ports, IReadOnlyList<string> Entries, SourceLocation Location);

/// <summary>
/// An iptables allowlist, ready to load: <c>ipset restore &lt; Ipsets</c>, then
/// <c>iptables-restore --noflush &lt; Ipv4Rules</c> and <c>ip6tables-restore --noflush &lt; Ipv6Rules</c>.
/// </summary>
public sealed record IptablesRendering(string Allowlist, string Chain, string Ipsets, string Ipv4Rules, string Ipv6Rules, IReadOnlyList<RenderedSet> Sets);
