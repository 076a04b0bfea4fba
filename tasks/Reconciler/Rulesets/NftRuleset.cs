using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Policies.Validation;

namespace Reconciler.Rulesets;

/// <summary>A named set of an nft table, its elements read as networks (a range <c>A-B</c> as the fewest that cover it).</summary>
public sealed record NftSet(string Name, string Type, IReadOnlyList<IPNetwork> Elements, SourceLocation Location);

/// <summary>A rule line of a chain, as <c>nft list ruleset</c> prints it.</summary>
public sealed record NftRule(string Text, SourceLocation Location);

/// <summary>A chain; <see cref="Hook"/> is null for a regular chain (reached only by jumps).</summary>
public sealed record NftChain(string Name, string? Hook, string? Policy, IReadOnlyList<NftRule> Rules, SourceLocation Location);

public sealed record NftTable(string Family, string Name, IReadOnlyList<NftSet> Sets, IReadOnlyList<NftChain> Chains, SourceLocation Location);

public sealed record NftDump(IReadOnlyList<NftTable> Tables, IReadOnlyList<DumpProblem> Problems);

/// <summary>
/// Reads the output of <c>nft list ruleset</c> (HOST.nft): tables, their sets with elements, their chains with hook,
/// policy and rule lines. Only the block structure is read here; what a rule admits is <see cref="NftOutput"/>'s.
/// </summary>
public static class NftRuleset
{
    public static NftDump Parse(string file, string text)
    {
        var tables = new List<NftTable>();
        var problems = new List<DumpProblem>();
        var lines = text.Split('\n');
        string? tableFamily = null, tableName = null;
        SourceLocation? tableAt = null;
        List<NftSet> sets = [];
        List<NftChain> chains = [];
        // Within a set or a chain: its name, where it starts, and what it says.
        string? setName = null, setType = null, chainName = null, hook = null, policy = null;
        SourceLocation? blockAt = null;
        List<IPNetwork> elements = [];
        List<NftRule> rules = [];
        for (var i = 0; i < lines.Length; i++)
        {
            var at = new SourceLocation(file, i + 1, 1);
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (tableName is null)
            {
                if (words is ["table", var family, var name, "{", ..])
                    (tableFamily, tableName, tableAt, sets, chains) = (family, name, at, [], []);
                else
                    problems.Add(new DumpProblem(at, $"expected 'table FAMILY NAME {{', not '{line}'"));
                continue;
            }
            if (setName is null && chainName is null)
            {
                if (line == "}")
                {
                    tables.Add(new NftTable(tableFamily!, tableName, sets, chains, tableAt!));
                    tableName = null;
                }
                else if (words is ["set" or "map", var set, "{", ..])
                    (setName, setType, blockAt, elements) = (set, null, at, []);
                else if (words is ["chain", var chain, "{", ..])
                    (chainName, hook, policy, blockAt, rules) = (chain, null, null, at, []);
                else if (words is ["flowtable" or "counter" or "quota" or "ct" or "limit" or "secmark" or "synproxy", ..])
                    i = SkipBlock(lines, i);
                else
                    problems.Add(new DumpProblem(at, $"not a set or a chain of table {tableName}: '{line}'"));
                continue;
            }
            if (setName is not null)
            {
                if (line == "}")
                {
                    sets.Add(new NftSet(setName, setType ?? "", elements, blockAt!));
                    setName = null;
                }
                else if (words is ["type", var type, ..])
                    setType = type;
                else if (line.StartsWith("elements = {", StringComparison.Ordinal))
                {
                    var joined = line;
                    while (!joined.Contains('}', StringComparison.Ordinal) && i + 1 < lines.Length)
                        joined += " " + lines[++i].Trim();
                    var inside = joined[(joined.IndexOf('{', StringComparison.Ordinal) + 1)..joined.IndexOf('}', StringComparison.Ordinal)];
                    foreach (var element in inside.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (Element(element) is { } networks)
                            elements.AddRange(networks);
                        else
                            problems.Add(new DumpProblem(at, $"set {setName}: '{element}' is not an address, a prefix or a range"));
                    }
                }
                continue;
            }
            if (line == "}")
            {
                chains.Add(new NftChain(chainName!, hook, policy, rules, blockAt!));
                chainName = null;
            }
            else if (words is ["type", _, "hook", var hooked, ..])
            {
                hook = hooked;
                var policyAt = Array.IndexOf(words, "policy");
                policy = policyAt >= 0 && policyAt + 1 < words.Length ? words[policyAt + 1].TrimEnd(';') : null;
            }
            else
                rules.Add(new NftRule(line, at));
        }
        if (tableName is not null)
            problems.Add(new DumpProblem(tableAt!, $"table {tableName} is not closed"));
        return new NftDump(tables, problems);
    }

    /// <summary>An element: an address, a prefix or a range <c>A-B</c>; null when it is none of these.</summary>
    public static List<IPNetwork>? Element(string element)
    {
        var dash = element.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && Networks.TryParseAddress(element[..dash], out var first) && Networks.TryParseAddress(element[(dash + 1)..], out var last) && first.AddressFamily == last.AddressFamily)
            return AddressRanges.Cover(first, last);
        return Networks.TryParse(element, out var network, out _) ? [network] : null;
    }

    private static int SkipBlock(string[] lines, int i)
    {
        var depth = 0;
        for (; i < lines.Length; i++)
        {
            depth += lines[i].Count(c => c == '{') - lines[i].Count(c => c == '}');
            if (depth <= 0)
                return i;
        }
        return i;
    }
}
