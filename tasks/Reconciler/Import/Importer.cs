using Reconciler.Policies.Model;
using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Policies.Validation;
using Reconciler.Providers;
using Reconciler.Rulesets;

namespace Reconciler.Import;

/// <summary>One file given to <c>--from</c>: the path as given, and its text.</summary>
public sealed record ImportSource(string Path, string Text);

/// <summary>The drafts, one per dump that admits something, and every line that could not be read.</summary>
public sealed record ImportResult(IReadOnlyList<DraftFile> Drafts, IReadOnlyList<DumpProblem> Problems, IReadOnlyList<string> Notes);

/// <summary>
/// Drafts policies from what an estate runs (README "Import"): every destination an accepting rule on the OUTPUT
/// path admits over TCP on at most 15 ports becomes a rule, every destination ACL squid allows a proxy rule, each
/// with the line it came from as its reason. What a policy cannot say (any destination, every port, other
/// protocols, loopback, replies) is a note in the draft and in the log. Pure: texts in, drafts out.
/// </summary>
public static class Importer
{
    /// <summary>Most ports one drafted rule lists: iptables' multiport match takes 15.</summary>
    public const int MostPorts = 15;

    public static ImportResult Draft(IReadOnlyList<ImportSource> sources, ProviderKnowledge providers, IEnumerable<string> takenNames)
    {
        var problems = new List<DumpProblem>();
        var notes = new List<string>();
        var kinds = sources.Select(s => (Source: s, Kind: DumpKinds.Recognize(s.Text))).ToList();
        foreach (var (source, _) in kinds.Where(k => k.Kind == DumpKind.Unknown))
            problems.Add(new DumpProblem(new SourceLocation(source.Path, 1, 1), DumpKinds.Unknown(source.Text)));
        var ipsets = IpsetDump.Merge(kinds.Where(k => k.Kind == DumpKind.Ipset).Select(k => IpsetSave.Parse(k.Source.Path, k.Source.Text)));
        problems.AddRange(ipsets.Problems);
        notes.AddRange(ipsets.Notes);
        var names = new DraftNames(takenNames);
        var dependencies = new Dictionary<string, DraftDependency>(StringComparer.Ordinal);
        var drafts = new List<DraftFile>();
        foreach (var (source, kind) in kinds)
        {
            var draft = new DraftFile(DraftNames.Slug(System.IO.Path.GetFileName(source.Path)) + ".yaml", source.Path);
            if (kind == DumpKind.Iptables)
            {
                var dump = IptablesSave.Parse(source.Path, source.Text);
                problems.AddRange(dump.Problems);
                draft.Notes.AddRange(dump.Notes);
                var walked = OutputPath.Walk(dump, ipsets);
                draft.Notes.AddRange(walked.Notes);
                DraftIptables(draft, walked.Admissions, names, dependencies, providers);
            }
            else if (kind == DumpKind.Nft)
                DraftNftables(draft, source, problems, names, dependencies, providers);
            else if (kind == DumpKind.Squid)
            {
                var config = SquidConfig.Parse(source.Path, source.Text);
                problems.AddRange(config.Problems);
                draft.Notes.AddRange(config.Notes);
                DraftSquid(draft, config, kinds.Where(k => k.Kind == DumpKind.SquidList).Select(k => k.Source).ToList(), names, dependencies);
            }
            if (kind is DumpKind.Iptables or DumpKind.Nft or DumpKind.Squid)
                drafts.Add(draft);
        }
        // A file name may slug to another's: keep the draft files apart.
        foreach (var same in drafts.GroupBy(d => d.FileName).Where(g => g.Count() > 1))
        {
            var n = 1;
            foreach (var draft in same.Skip(1))
                drafts[drafts.IndexOf(draft)] = Renamed(draft, $"{draft.FileName[..^5]}-{++n}.yaml");
        }
        return new ImportResult(drafts, problems, notes);
    }

    private static DraftFile Renamed(DraftFile draft, string name)
    {
        var renamed = new DraftFile(name, draft.Source);
        renamed.Dependencies.AddRange(draft.Dependencies);
        renamed.Allowlists.AddRange(draft.Allowlists);
        renamed.Notes.AddRange(draft.Notes);
        return renamed;
    }

    private static void DraftIptables(DraftFile draft, IReadOnlyList<Admission> admissions, DraftNames names, Dictionary<string, DraftDependency> dependencies, ProviderKnowledge providers)
    {
        var stem = System.IO.Path.GetFileName(draft.Source);
        var allowlist = new DraftAllowlist(names.Claim("imported-" + stem, "imported"), AllowlistKind.Iptables, HostOf(stem), stem);
        DraftAdmissions(draft, allowlist, admissions, names, dependencies, providers, admission => (admission.Set ?? admission.Comment, admission.Set ?? admission.Comment));
        draft.Allowlists.Add(allowlist);
    }

    /// <summary>
    /// An <c>nft list ruleset</c> dump (<c>HOST.nft</c>): one <c>kind: nftables</c> allowlist per table that hooks a
    /// chain to output, for host HOST. A table Reconciler rendered (<c>rcn_NAME</c>) drafts allowlist NAME, each of its
    /// sets the dependency the set was rendered for, so the draft renders that table again and live drift reads the
    /// same table back.
    /// </summary>
    private static void DraftNftables(DraftFile draft, ImportSource source, List<DumpProblem> problems, DraftNames names, Dictionary<string, DraftDependency> dependencies, ProviderKnowledge providers)
    {
        var dump = NftRuleset.Parse(source.Path, source.Text);
        problems.AddRange(dump.Problems);
        var stem = System.IO.Path.GetFileName(source.Path);
        var host = HostOf(stem.EndsWith(HostRuleset.Nft, StringComparison.Ordinal) ? stem[..^HostRuleset.Nft.Length] : stem);
        var tables = NftOutput.Hooking(dump).ToList();
        if (tables.Count == 0)
            draft.Notes.Add($"{stem}: no table hooks a chain to output: nft admits every outbound connection here; nothing to import");
        foreach (var table in tables)
        {
            var own = table.Name.StartsWith("rcn_", StringComparison.Ordinal) ? table.Name[4..].Replace('_', '-') : null;
            var allowlist = new DraftAllowlist(names.Claim(own ?? $"imported-{stem}-{table.Name}", "imported"), AllowlistKind.Nftables, host, stem);
            var only = new NftDump([table], []);
            var walked = new[] { NftOutput.WalkAll(only, 4), NftOutput.WalkAll(only, 6) };
            draft.Notes.AddRange(walked.SelectMany(w => w.Notes).Distinct());
            // A rule of both families (no address match) is met by each family's walk: drafted or noted once.
            var admissions = walked.SelectMany(w => w.Admissions).DistinctBy(a => (a.Kind, a.Location, a.Set, Networks: string.Join(",", a.Networks))).ToList();
            DraftAdmissions(draft, allowlist, admissions, names, dependencies, providers, admission => admission.Set is { } set ? ($"{table.Name}.{SetDependency(set)}", SetDependency(set)) : (null, null));
            draft.Allowlists.Add(allowlist);
        }
    }

    /// <summary>The dependency a rendered set <c>TABLE.d_NAME[_pN]_vF</c> was rendered for (NAME, hyphens back); another set's own name.</summary>
    private static string SetDependency(string set)
    {
        var name = set[(set.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var match = System.Text.RegularExpressions.Regex.Match(name, "^d_(?<name>[a-z0-9_]+?)(_P[0-9]+)?_v[46]$");
        return match.Success ? match.Groups["name"].Value.Replace('_', '-') : name;
    }

    private static void DraftAdmissions(DraftFile draft, DraftAllowlist allowlist, IReadOnlyList<Admission> admissions, DraftNames names, Dictionary<string, DraftDependency> dependencies, ProviderKnowledge providers, Func<Admission, (string? Key, string? Name)> group)
    {
        var nft = allowlist.Kind == AllowlistKind.Nftables;
        foreach (var admission in admissions)
        {
            var at = $"{System.IO.Path.GetFileName(admission.Location.File)}:{admission.Location.Line}";
            switch (admission.Kind)
            {
                case AdmissionKind.Loopback:
                    draft.Notes.Add($"{at}: {(nft ? "oifname \"lo\"" : "-o lo")} admits the host's own loopback traffic; Reconciler's chain admits it too, so it is no rule");
                    continue;
                case AdmissionKind.Established:
                    draft.Notes.Add($"{at}: replies of connections already admitted (conntrack ESTABLISHED,RELATED); Reconciler's chain admits them too, so they are no rule");
                    continue;
                case AdmissionKind.Everything:
                    draft.Notes.Add($"{at}: {admission.Why}: every destination{(admission.Protocol is { } p ? $" ({p})" : "")} is admitted here; not imported, since a policy names its destinations. The draft admits less than this host until you list them");
                    continue;
            }
            if (!admission.CoversTcp)
            {
                draft.Notes.Add($"{at}: admits {admission.Protocol} to {Shorten(admission.DescribeDestination())}; Reconciler's chain governs TCP only, so the host's own rules keep that");
                continue;
            }
            if (PortRanges.Expand(admission.Ports, MostPorts) is not { } ports)
            {
                draft.Notes.Add($"{at}: admits {Shorten(admission.DescribeDestination())} on {PortRanges.Describe(admission.Ports)}; a rule lists at most {MostPorts} ports, so it is not imported: write the ports in use");
                continue;
            }
            // One dependency per set (or comment, or address), named after it.
            var (grouped, wanted) = group(admission);
            var key = $"{allowlist.Kind}:{grouped ?? Networks.Format(admission.Networks[0])}";
            if (!dependencies.TryGetValue(key, out var dependency))
            {
                dependency = new DraftDependency(names.Claim(wanted ?? "", AddressName(admission.Networks[0])), "static") { Ports = ports };
                if (admission.Comment is { } comment && HostNames.TryNormalize(comment, out var host, out _) && host.Contains('.', StringComparison.Ordinal))
                    dependency.Hosts.Add(host);
                else
                {
                    dependency.Hosts.Add(dependency.Name + ".import.invalid");
                    dependency.HostsAreGuesses = true;
                }
                dependencies[key] = dependency;
                draft.Dependencies.Add(dependency);
            }
            var reason = $"imported from {at}" + (admission.Set is { } set ? $" ({(nft ? "set" : "ipset")} {set})" : "") + (admission.Path.Count > 1 ? $" via {string.Join(" > ", admission.Path)}" : "");
            var rule = new DraftRule(dependency.Name, ports, reason);
            rule.Destinations.AddRange(admission.Networks.Select(Networks.Format).Distinct().Order(StringComparer.Ordinal));
            if (admission.Narrowed.Count > 0)
                rule.Comments.Add($"the original also matches {string.Join(" ", admission.Narrowed)}: this rule admits more than it did");
            rule.Comments.AddRange(Attribution(admission.Networks, providers));
            allowlist.Rules.Add(rule);
        }
    }

    private static void DraftSquid(DraftFile draft, SquidConfigDump config, List<ImportSource> lists, DraftNames names, Dictionary<string, DraftDependency> dependencies)
    {
        if (!config.Access.Any(a => a.Allow))
            draft.Notes.Add($"{System.IO.Path.GetFileName(draft.Source)}: no http_access allow line: this squid admits nothing (or its access rules are in a file it includes)");
        var stem = System.IO.Path.GetFileName(draft.Source);
        var allowlist = new DraftAllowlist(names.Claim("imported-" + stem, "imported"), AllowlistKind.Proxy, HostOf(stem), stem);
        foreach (var admission in SquidAllowed.Of(config))
        {
            var at = $"{System.IO.Path.GetFileName(admission.Location.File)}:{admission.Location.Line}";
            if (admission.Everything)
            {
                draft.Notes.Add($"{at}: http_access allow {string.Join(" ", admission.Narrowed.DefaultIfEmpty("all"))} admits every destination (for the clients it names); not imported, since a policy names its destinations");
                continue;
            }
            var ports = admission.Ports ?? [80, 443];
            foreach (var byName in admission.Destinations.GroupBy(a => a.Name))
            {
                var acl = byName.First();
                var aclAt = $"{System.IO.Path.GetFileName(acl.Location.File)}:{acl.Location.Line}";
                var domains = new List<string>();
                var addresses = new List<string>();
                foreach (var one in byName)
                {
                    var read = new List<(string Value, string At)>();
                    foreach (var file in one.Files)
                    {
                        // Given to --from too: its name holds the file's (squid.x.whitelist.txt for /etc/squid/whitelist.txt).
                        var list = lists.FirstOrDefault(l => System.IO.Path.GetFileName(l.Path).Contains(System.IO.Path.GetFileName(file), StringComparison.Ordinal));
                        if (list is null)
                        {
                            draft.Notes.Add($"{aclAt}: acl {one.Name} reads {file}; give that file to --from as well to import its entries");
                            continue;
                        }
                        var listLines = list.Text.Split('\n');
                        for (var n = 0; n < listLines.Length; n++)
                        {
                            if (DumpKinds.StripComment(listLines[n]).Trim() is { Length: > 0 } value)
                                read.Add((value, $"{System.IO.Path.GetFileName(list.Path)}:{n + 1}"));
                        }
                    }
                    if (one.Type is not ("dstdomain" or "dst"))
                    {
                        draft.Notes.Add($"{aclAt}: acl {one.Name} is {one.Type}, which a policy cannot say (it names domains and addresses); not imported");
                        continue;
                    }
                    foreach (var (value, valueAt) in one.Values.Select(v => (v, aclAt)).Concat(read))
                    {
                        if (one.Type == "dstdomain")
                        {
                            var dot = value.StartsWith('.') ? "." : "";
                            if (HostNames.TryNormalize(value[dot.Length..], out var host, out var error))
                                domains.Add(dot + host);
                            else
                                draft.Notes.Add($"{valueAt}: {value} in acl {one.Name} is not imported: {error}");
                        }
                        else if (Networks.TryParse(value, out var network, out var error))
                            addresses.Add(Networks.Format(network));
                        else
                            draft.Notes.Add($"{valueAt}: {value} in acl {one.Name} is not imported: {error}");
                    }
                }
                domains = [.. domains.Distinct().Order(StringComparer.Ordinal)];
                addresses = [.. addresses.Distinct().Order(StringComparer.Ordinal)];
                if (domains.Count == 0 && addresses.Count == 0)
                    continue;
                var key = "squid:" + acl.Name;
                if (!dependencies.TryGetValue(key, out var dependency))
                {
                    dependency = new DraftDependency(names.Claim(acl.Name, "proxy-acl"), domains.Count > 0 ? "domain" : "static") { Ports = [.. ports] };
                    dependency.Hosts.AddRange(domains.Select(d => d.TrimStart('.')).Distinct().Take(50));
                    if (dependency.Hosts.Count == 0)
                    {
                        dependency.Hosts.Add(dependency.Name + ".import.invalid");
                        dependency.HostsAreGuesses = true;
                    }
                    dependencies[key] = dependency;
                    draft.Dependencies.Add(dependency);
                }
                var rule = new DraftRule(dependency.Name, ports, $"imported from {at} (acl {acl.Name}, {aclAt})");
                rule.Domains.AddRange(domains);
                rule.Destinations.AddRange(addresses);
                if (admission.Ports is null)
                    rule.Comments.Add("the original admits these on every port its earlier http_access lines leave open; drafted with 80 and 443");
                if (admission.Narrowed.Count > 0)
                    rule.Comments.Add($"the original also requires {string.Join(" ", admission.Narrowed)}");
                allowlist.Rules.Add(rule);
            }
        }
        draft.Allowlists.Add(allowlist);
    }

    /// <summary>Which provider service publishes each destination, as the snapshot knows it (README "Provider feeds").</summary>
    private static IEnumerable<string> Attribution(IReadOnlyList<IPNetwork> networks, ProviderKnowledge providers)
    {
        var dated = string.Join(", ", providers.Snapshot.Feeds.Select(f => $"{f.Provider} {f.Date}"));
        return networks
            .Select(n => (Network: n, Owners: providers.Index.Owners(n.BaseAddress).Where(o => Networks.Covers(o.Prefix, n)).ToList()))
            .Where(x => x.Owners.Count > 0)
            .GroupBy(x => string.Join(" / ", x.Owners.Select(o => $"{o.Provider} {o.Service}{(o.Region.Length > 0 ? " " + o.Region : "")}").Distinct()))
            .Select(g => $"{Shorten(string.Join(", ", g.Select(x => Networks.Format(x.Network))))}: published by {g.Key} (provider snapshot: {dated}); consider track: provider")
            .Take(10);
    }

    private static string AddressName(IPNetwork network) =>
        (network.PrefixLength == (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128) ? "ip-" : "net-") + Networks.Format(network);

    private static string HostOf(string fileName) => DraftNames.Slug(fileName) is { Length: > 0 } slug ? slug : "host";

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "…";
}
