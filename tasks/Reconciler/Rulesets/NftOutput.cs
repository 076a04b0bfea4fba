using System.Net;
using System.Text;
using Reconciler.Diagnostics;

namespace Reconciler.Rulesets;

/// <summary>
/// What Reconciler's own nft tables admit, per address family: the rules of each table's chain hooked to
/// <c>output</c>, in order, up to the rule that rejects the rest of TCP. A table that is not loaded, a chain that is
/// not hooked and a missing final reject each admit any destination, as a missing hook or reject does in iptables.
/// Other tables are not read: each nft base chain decides on its own, so a table of Reconciler's refuses what it does
/// not admit whatever the others do.
/// </summary>
public static class NftOutput
{
    public static OutputAdmissions Walk(string file, NftDump dump, IReadOnlyList<string> tables, int family)
    {
        var admissions = new List<Admission>();
        var notes = new List<string>();
        foreach (var name in tables)
        {
            if (dump.Tables.FirstOrDefault(t => t.Family == "inet" && t.Name == name) is { } table)
                Table(table, family, admissions, notes);
            else
                admissions.Add(Everything(new SourceLocation(file, 1, 1), $"table inet {name} is not loaded", [name]));
        }
        return new OutputAdmissions(admissions, notes);
    }

    /// <summary>
    /// What every table of the dump that hooks a chain to output admits (Import: whoever wrote them). A packet must
    /// pass each base chain, so the union of what each admits errs on the side of admitting, as Import does.
    /// </summary>
    public static OutputAdmissions WalkAll(NftDump dump, int family)
    {
        var admissions = new List<Admission>();
        var notes = new List<string>();
        foreach (var table in Hooking(dump).Where(t => t.Family == "inet" || t.Family == (family == 4 ? "ip" : "ip6")))
            Table(table, family, admissions, notes);
        return new OutputAdmissions(admissions, notes);
    }

    /// <summary>The tables of a family that reaches IP packets (inet, ip, ip6) with a chain hooked to output.</summary>
    public static IEnumerable<NftTable> Hooking(NftDump dump) =>
        dump.Tables.Where(t => t.Family is "inet" or "ip" or "ip6" && t.Chains.Any(c => c.Hook == "output"));

    private static void Table(NftTable table, int family, List<Admission> admissions, List<string> notes)
    {
        var hooked = table.Chains.Where(c => c.Hook == "output").ToList();
        if (hooked.Count == 0)
            admissions.Add(Everything(table.Location, $"no chain of table {table.Family} {table.Name} is hooked to output", [table.Name]));
        foreach (var chain in hooked)
            Chain(table, chain, family, admissions, notes);
    }

    private static void Chain(NftTable table, NftChain chain, int family, List<Admission> admissions, List<string> notes)
    {
        List<string> path = [table.Name, chain.Name];
        foreach (var rule in chain.Rules)
        {
            var words = Words(rule.Text);
            if (words.Count == 0)
                continue;
            var verdict = words[^1];
            if (verdict is "jump" or "goto" || (words.Count > 1 && words[^2] is "jump" or "goto"))
            {
                notes.Add($"{rule.Location}: '{rule.Text}' jumps to another chain, which is not followed (rule ignored)");
                continue;
            }
            if (verdict is not ("accept" or "drop") && !words.Contains("reject"))
                continue;
            var read = Read(table, words[..(verdict == "accept" || verdict == "drop" ? ^1 : words.IndexOf("reject"))]);
            if (read.Family is { } only && only != family)
                continue;
            if (verdict != "accept")
            {
                // Only a reject of every TCP connection ends the walk; a narrower one refuses too little to count on.
                if (read.Destinations is null && read.Narrowed.Count == 0 && read.Protocol is null or "tcp" && read.Ports is null)
                    return;
                continue;
            }
            if (read.Loopback && read.Destinations is null && read.Narrowed.Count == 0)
                admissions.Add(new Admission { Kind = AdmissionKind.Loopback, Location = rule.Location, Path = path });
            else if (read.Established)
                admissions.Add(new Admission { Kind = AdmissionKind.Established, Location = rule.Location, Path = path });
            else if (read.Destinations is null)
                admissions.Add(Everything(rule.Location, $"'{rule.Text}' accepts without a destination", path) with { Ports = read.Ports, Protocol = read.Protocol, Narrowed = read.Narrowed });
            else
                admissions.Add(new Admission
                {
                    Kind = AdmissionKind.Destinations,
                    Location = rule.Location,
                    Networks = read.Destinations,
                    Set = read.Set is null ? null : $"{table.Name}.{read.Set}",
                    Ports = read.Ports,
                    Protocol = read.Protocol,
                    Narrowed = read.Narrowed,
                    Path = path,
                });
        }
        if (chain.Policy != "drop")
            admissions.Add(Everything(chain.Location, $"chain {chain.Name} of table {table.Family} {table.Name} has no final reject, and its policy ({chain.Policy ?? "accept"}) takes what no rule decided", path));
    }

    private sealed record Matches(int? Family, IReadOnlyList<IPNetwork>? Destinations, string? Set, IReadOnlyList<PortRange>? Ports, string? Protocol, bool Loopback, bool Established, IReadOnlyList<string> Narrowed);

    private static Matches Read(NftTable table, List<string> words)
    {
        int? family = null;
        List<IPNetwork>? destinations = null;
        string? set = null, protocol = null;
        List<PortRange>? ports = null;
        bool loopback = false, established = false;
        var narrowed = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var next = i + 1 < words.Count ? words[i + 1] : "";
            var value = i + 2 < words.Count ? words[i + 2] : "";
            if (words[i] is "ip" or "ip6" && next == "daddr" && value == "!=")
            {
                // A negated destination admits nearly every address: read as none named, so as any destination.
                family = words[i] == "ip" ? 4 : 6;
                i += 3;
            }
            else if (words[i] is "ip" or "ip6" && next == "daddr")
            {
                family = words[i] == "ip" ? 4 : 6;
                destinations = [];
                if (value.StartsWith('@'))
                {
                    set = value[1..];
                    if (table.Sets.FirstOrDefault(s => s.Name == set) is { } named)
                        destinations.AddRange(named.Elements);
                }
                else
                {
                    foreach (var element in Items(value))
                        destinations.AddRange(NftRuleset.Element(element) ?? []);
                }
                i += 2;
            }
            else if (words[i] is "tcp" or "udp" && next == "dport")
            {
                protocol = words[i];
                ports = [];
                foreach (var item in Items(value))
                {
                    if (PortRanges.TryParse(item.Replace('-', ':'), out var ranges, out _))
                        ports.AddRange(ranges);
                    else
                        narrowed.Add($"dport {item}");
                }
                i += 2;
            }
            else if (words[i] == "meta" && next == "l4proto")
            {
                protocol = value;
                i += 2;
            }
            else if (words[i] == "meta" && next == "nfproto")
            {
                family = value == "ipv4" ? 4 : value == "ipv6" ? 6 : null;
                i += 2;
            }
            else if (words[i] == "oifname" && next == "\"lo\"")
            {
                loopback = true;
                i += 1;
            }
            else if (words[i] == "ct" && next == "state" && Items(value).All(s => s is "established" or "related"))
            {
                established = true;
                i += 2;
            }
            else if (words[i] == "counter")
            {
                while (i + 2 < words.Count && words[i + 1] is "packets" or "bytes")
                    i += 2;
            }
            else if (words[i] == "comment")
                i += 1;
            else
                narrowed.Add(words[i]);
        }
        return new Matches(family, destinations, set, ports, protocol, loopback, established, narrowed);
    }

    /// <summary>The items of an anonymous set <c>{ a, b }</c> or a list <c>a,b</c>.</summary>
    private static string[] Items(string value) =>
        value.Trim('{', '}').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The words of a rule, a quoted string or an anonymous set <c>{ … }</c> as one word each.</summary>
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var closing = '\0';
        foreach (var c in text)
        {
            if (closing != '\0')
            {
                word.Append(c);
                if (c == closing)
                    closing = '\0';
            }
            else if (c is '"' or '{')
            {
                word.Append(c);
                closing = c == '"' ? '"' : '}';
            }
            else if (c is ' ' or '\t')
            {
                if (word.Length > 0)
                    words.Add(word.ToString());
                word.Clear();
            }
            else
                word.Append(c);
        }
        if (word.Length > 0)
            words.Add(word.ToString());
        return words;
    }

    private static Admission Everything(SourceLocation at, string why, List<string> path) =>
        new() { Kind = AdmissionKind.Everything, Location = at, Why = why, Path = path };
}
