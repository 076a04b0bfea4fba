using System.Globalization;
using System.Net.Sockets;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Render;

/// <summary>
/// The address sets of a host-firewall allowlist, whatever the firewall: one per dependency, set of ports and
/// address family, with the addresses of its rules and their prefix sets, sorted so the same input gives the same bytes.
/// </summary>
public static class RenderedSets
{
    /// <param name="name">The set's name from the allowlist, the dependency, the group of ports and the family.</param>
    public static List<RenderedSet> Of(PolicySet policies, Allowlist allowlist, Func<string, string, int, int, string> name)
    {
        var sets = new List<RenderedSet>();
        foreach (var byDependency in allowlist.Rules.GroupBy(r => r.Dependency))
        {
            var dependency = policies.FindDependency(byDependency.Key);
            var groups = byDependency
                .GroupBy(r => string.Join(',', (r.Ports.Count > 0 ? r.Ports : dependency?.Ports ?? [443]).Distinct().Order()))
                .ToList();
            for (var group = 0; group < groups.Count; group++)
            {
                var ports = groups[group].Key.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
                foreach (var family in new[] { 4, 6 })
                {
                    var entries = groups[group].SelectMany(r => r.Admits).Select(d => d.Value)
                        .Where(n => (n.BaseAddress.AddressFamily == AddressFamily.InterNetwork) == (family == 4))
                        .Distinct().Select(Networks.Format).Order(StringComparer.Ordinal).ToList();
                    if (entries.Count > 0)
                        sets.Add(new RenderedSet(name(allowlist.Name, byDependency.Key, group, family), byDependency.Key, family, ports, entries, groups[group].First().Location));
                }
            }
        }
        return sets;
    }
}
