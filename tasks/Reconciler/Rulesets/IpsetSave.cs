using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Policies.Validation;

namespace Reconciler.Rulesets;

/// <summary>One member of an ipset: a network, with the destination port when the set is hash:ip,port or hash:net,port.</summary>
public sealed record IpsetEntry(IPNetwork Network, PortRange? Port, string? Protocol, SourceLocation Location);

public sealed record Ipset(string Name, string Type, SourceLocation Location, List<IpsetEntry> Entries);

public sealed record IpsetDump(IReadOnlyDictionary<string, Ipset> Sets, IReadOnlyList<DumpProblem> Problems, IReadOnlyList<string> Notes)
{
    public static IpsetDump Empty { get; } = new(new Dictionary<string, Ipset>(), [], []);

    /// <summary>Several dumps as one: sets of the same name from two files hold the entries of both.</summary>
    public static IpsetDump Merge(IEnumerable<IpsetDump> dumps)
    {
        var sets = new Dictionary<string, Ipset>(StringComparer.Ordinal);
        var problems = new List<DumpProblem>();
        var notes = new List<string>();
        foreach (var dump in dumps)
        {
            foreach (var set in dump.Sets.Values)
            {
                if (sets.TryGetValue(set.Name, out var known))
                    known.Entries.AddRange(set.Entries);
                else
                    sets[set.Name] = set with { Entries = [.. set.Entries] };
            }
            problems.AddRange(dump.Problems);
            notes.AddRange(dump.Notes);
        }
        return new IpsetDump(sets, problems, notes);
    }
}

/// <summary>
/// Reads <c>ipset save</c> output (and restore input): <c>create NAME TYPE …</c>, <c>add NAME ENTRY …</c>. Entries of
/// bitmap and hash types with an address first are read (a range <c>a-b</c> becomes the networks that cover it);
/// list:set and mac sets say nothing about destinations and are noted. Pure: text in, records out.
/// </summary>
public static class IpsetSave
{
    public static IpsetDump Parse(string file, string text)
    {
        var sets = new Dictionary<string, Ipset>(StringComparer.Ordinal);
        var problems = new List<DumpProblem>();
        var notes = new List<string>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var at = new SourceLocation(file, i + 1, 1);
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
                continue;
            switch (fields[0])
            {
                case "create" or "-N" or "n" when fields.Length >= 3:
                    sets[fields[1]] = new Ipset(fields[1], fields[2], at, sets.GetValueOrDefault(fields[1])?.Entries ?? []);
                    if (!fields[2].StartsWith("hash:ip", StringComparison.Ordinal) && !fields[2].StartsWith("hash:net", StringComparison.Ordinal) && !fields[2].StartsWith("bitmap:ip", StringComparison.Ordinal))
                        notes.Add($"{at}: set {fields[1]} is {fields[2]}, which holds no destination addresses; not imported");
                    break;
                case "add" or "-A" or "a" when fields.Length >= 3:
                    if (!sets.TryGetValue(fields[1], out var set))
                    {
                        problems.Add(new DumpProblem(at with { Column = line.IndexOf(fields[1], StringComparison.Ordinal) + 1 }, $"set {fields[1]} is added to before it is created"));
                        break;
                    }
                    if (!set.Type.StartsWith("hash:ip", StringComparison.Ordinal) && !set.Type.StartsWith("hash:net", StringComparison.Ordinal) && !set.Type.StartsWith("bitmap:ip", StringComparison.Ordinal))
                        break;
                    if (Entry(fields[2], at with { Column = line.IndexOf(fields[2], line.IndexOf(fields[1], StringComparison.Ordinal) + fields[1].Length, StringComparison.Ordinal) + 1 }, problems) is { } entries)
                        set.Entries.AddRange(entries);
                    break;
                // Restore input (a rendered file, a deploy script) as ipset restore would carry it out.
                case "flush" or "-F" when fields.Length == 2 && sets.TryGetValue(fields[1], out var flushed):
                    flushed.Entries.Clear();
                    break;
                case "destroy" or "-X" when fields.Length == 2:
                    sets.Remove(fields[1]);
                    break;
                case "swap" or "-W" when fields.Length == 3 && sets.TryGetValue(fields[1], out var one) && sets.TryGetValue(fields[2], out var other):
                    (sets[fields[1]], sets[fields[2]]) = (one with { Name = fields[1], Entries = other.Entries }, other with { Name = fields[2], Entries = one.Entries });
                    break;
                case "del" or "-D" or "rename" or "-E" or "COMMIT":
                    notes.Add($"{at}: '{IptablesSave.Cut(line.Trim())}' is a command, not saved state; skipped");
                    break;
                default:
                    problems.Add(new DumpProblem(at, $"'{IptablesSave.Cut(line.Trim())}' is not an ipset save line (create NAME TYPE …, add NAME ENTRY)"));
                    break;
            }
        }
        return new IpsetDump(sets, problems, notes);
    }

    /// <summary>An entry: <c>ADDR[/LEN][-ADDR]</c>, then <c>,[PROTO:]PORT</c> for the port types; the rest of the entry is ignored.</summary>
    private static List<IpsetEntry>? Entry(string text, SourceLocation at, List<DumpProblem> problems)
    {
        var parts = text.Split(',');
        PortRange? port = null;
        string? protocol = null;
        if (parts.Length > 1 && !Networks.TryParseAddress(parts[1].Split('/')[0], out _))
        {
            var protoPort = parts[1].Split(':');
            protocol = protoPort.Length == 2 ? protoPort[0].ToLowerInvariant() : "tcp";
            var portText = protoPort[^1].Replace('-', ':');
            if (!PortRanges.TryParse(portText, out var ranges, out var error))
            {
                problems.Add(new DumpProblem(at, error));
                return null;
            }
            port = ranges[0];
        }
        var address = parts[0];
        var dash = address.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            if (!Networks.TryParseAddress(address[..dash], out var first) || !Networks.TryParseAddress(address[(dash + 1)..], out var last) || first.AddressFamily != last.AddressFamily)
            {
                problems.Add(new DumpProblem(at, $"'{address}' is not an address range FIRST-LAST"));
                return null;
            }
            return [.. AddressRanges.Cover(first, last).Select(n => new IpsetEntry(n, port, protocol, at))];
        }
        if (!Networks.TryParse(address, out var network, out var problem))
        {
            problems.Add(new DumpProblem(at, problem));
            return null;
        }
        return [new IpsetEntry(network, port, protocol, at)];
    }
}
