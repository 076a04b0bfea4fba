namespace Reconciler.Rulesets;

/// <summary>
/// What one host's dumps in <c>--live</c> say it admits: <c>HOST.iptables</c> and <c>HOST.ip6tables</c> walked with
/// the sets of <c>HOST.ipset</c>. A dump of another kind (<c>HOST.nft</c>, <c>nft list ruleset</c>) is one more reader
/// that yields <see cref="Admission"/>s here; everything that compares works on those alone.
/// </summary>
public sealed record HostRuleset(string Host, IReadOnlyList<Admission>? V4, IReadOnlyList<Admission>? V6, IReadOnlyList<string> Notes)
{
    public const string Iptables = ".iptables";
    public const string Ip6tables = ".ip6tables";
    public const string Ipset = ".ipset";
    public const string Squid = ".squid";

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
}
