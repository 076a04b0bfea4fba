namespace Reconciler.Rulesets;

/// <summary>
/// What one host's dumps in <c>--live</c> say it admits: <c>HOST.iptables</c> and <c>HOST.ip6tables</c> walked with
/// the sets of <c>HOST.ipset</c>, or Reconciler's tables in <c>HOST.nft</c> (<c>nft list ruleset</c>): each reader
/// yields <see cref="Admission"/>s here, and everything that compares works on those alone.
/// </summary>
public sealed record HostRuleset(string Host, IReadOnlyList<Admission>? V4, IReadOnlyList<Admission>? V6, IReadOnlyList<string> Notes)
{
    public const string Iptables = ".iptables";
    public const string Ip6tables = ".ip6tables";
    public const string Ipset = ".ipset";
    public const string Squid = ".squid";
    public const string Nft = ".nft";

    /// <summary>Null when the host has no firewall dump; a line that cannot be read is a note, since a dump is an observation.</summary>
    public static HostRuleset? Read(string host, IReadOnlyDictionary<string, string> dumps)
    {
        if (!dumps.TryGetValue(host + Iptables, out var v4) && !dumps.ContainsKey(host + Ip6tables))
            return null;
        var notes = new List<string>();
        var sets = dumps.TryGetValue(host + Ipset, out var ipset) ? IpsetSave.Parse(host + Ipset, ipset) : IpsetDump.Empty;
        notes.AddRange(sets.Problems.Select(p => $"{p} (line ignored)"));
        IReadOnlyList<Admission>? Walk(string suffix)
        {
            if (!dumps.TryGetValue(host + suffix, out var text))
                return null;
            var dump = IptablesSave.Parse(host + suffix, text);
            notes.AddRange(dump.Problems.Select(p => $"{p} (line ignored)"));
            var walked = OutputPath.Walk(dump, sets);
            notes.AddRange(walked.Notes);
            return walked.Admissions;
        }
        return new HostRuleset(host, v4 is null ? null : Walk(Iptables), Walk(Ip6tables), notes);
    }

    /// <summary>
    /// What Reconciler's nft <paramref name="tables"/> admit, from <c>HOST.nft</c> (<c>nft list ruleset</c>);
    /// null when the host has no such dump.
    /// </summary>
    public static HostRuleset? ReadNftables(string host, IReadOnlyDictionary<string, string> dumps, IReadOnlyList<string> tables)
    {
        if (!dumps.TryGetValue(host + Nft, out var text))
            return null;
        var dump = NftRuleset.Parse(host + Nft, text);
        var notes = dump.Problems.Select(p => $"{p} (line ignored)").ToList();
        var v4 = NftOutput.Walk(host + Nft, dump, tables, 4);
        var v6 = NftOutput.Walk(host + Nft, dump, tables, 6);
        notes.AddRange(v4.Notes.Union(v6.Notes));
        return new HostRuleset(host, v4.Admissions, v6.Admissions, notes);
    }
}
