using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Policies.Validation;

namespace Reconciler.Rulesets;

/// <summary>What the OUTPUT chain of a dump admits, following jumps, gotos and returns (README "Import").</summary>
public sealed record OutputAdmissions(IReadOnlyList<Admission> Admissions, IReadOnlyList<string> Notes);

/// <summary>
/// Walks the filter table's OUTPUT chain in order as the kernel would, into every chain it jumps to, and lists what
/// each ACCEPT on the way admits. It errs on the side of admitting: a match it cannot model (owner, source, an
/// earlier DROP of part of the traffic) never makes it drop an accept, so Import drafts at least what the host
/// admitted and live drift never calls admitted traffic refused. A rule that takes every packet (an unconditional
/// DROP, REJECT, ACCEPT or RETURN) ends the walk of its chain, and a TCP-only one ends it for TCP. Pure.
/// </summary>
public static class OutputPath
{
    private const int MostDepth = 32;

    private sealed record Context(string? Protocol, IReadOnlyList<IPNetwork>? Networks, string? Set, bool SetPort, IReadOnlyList<PortRange>? Ports,
        string? Negation, bool Loopback, bool Established, IReadOnlyList<string> Narrowed, IReadOnlyList<string> Path);

    private enum Ending
    {
        FallThrough,
        TcpStopped,
        Stopped,
    }

    public static OutputAdmissions Walk(IptablesDump dump, IpsetDump sets)
    {
        var admissions = new List<Admission>();
        var notes = new List<string>();
        if (!dump.Chains.TryGetValue("OUTPUT", out var output))
        {
            notes.Add($"{dump.File}: no OUTPUT chain in the filter table: the host admits every outbound connection");
            admissions.Add(new Admission { Kind = AdmissionKind.Everything, Location = new SourceLocation(dump.File, 1, 1), Why = "no OUTPUT chain (policy ACCEPT)" });
            return new OutputAdmissions(admissions, notes);
        }
        var start = new Context(null, null, null, false, null, null, false, false, [], ["OUTPUT"]);
        var ending = Chain(dump, sets, output, start, admissions, notes, []);
        if (ending != Ending.Stopped && output.Policy is "ACCEPT")
        {
            admissions.Add(new Admission
            {
                Kind = AdmissionKind.Everything,
                Location = output.Location,
                Protocol = ending == Ending.TcpStopped ? "!tcp" : null,
                Path = ["OUTPUT"],
                Why = "the policy of OUTPUT (ACCEPT) takes what no rule decided",
            });
        }
        return new OutputAdmissions(admissions, notes);
    }

    private static Ending Chain(IptablesDump dump, IpsetDump sets, IptablesChain chain, Context context, List<Admission> admissions, List<string> notes, HashSet<string> onStack)
    {
        if (!onStack.Add(chain.Name) || onStack.Count > MostDepth)
        {
            notes.Add($"{chain.Location}: chain {chain.Name} is entered again from itself; not followed twice");
            return Ending.FallThrough;
        }
        var tcpStopped = false;
        try
        {
            foreach (var rule in chain.Rules)
            {
                if (Combine(context, rule) is not { } matched)
                    continue;
                if (tcpStopped && matched.Protocol is "tcp")
                    continue;
                if (tcpStopped && matched.Protocol is null)
                    matched = matched with { Protocol = "!tcp" };
                var takesAll = rule.MatchesEverything;
                var takesTcp = !takesAll && rule.Protocol is "tcp" && !rule.ProtocolNegated && rule.Destinations.Count == 0 && rule.DestinationSet is null
                    && rule.Ports is null && rule.OutInterface is null && !rule.EstablishedOnly && rule.Other.Count == 0;
                switch (rule.Target)
                {
                    case "ACCEPT":
                        admissions.AddRange(Admit(matched, rule, sets, notes));
                        break;
                    case "RETURN":
                        if (takesAll)
                            return tcpStopped ? Ending.TcpStopped : Ending.FallThrough;
                        break;
                    case "DROP" or "REJECT":
                        break;
                    case { } target when dump.Chains.TryGetValue(target, out var next):
                        var ending = Chain(dump, sets, next, matched with { Path = [.. matched.Path, target] }, admissions, notes, onStack);
                        if (rule.Goto && takesAll)
                            return tcpStopped ? Ending.TcpStopped : Ending.Stopped;
                        if (ending == Ending.Stopped && takesAll)
                            return Ending.Stopped;
                        if ((ending == Ending.Stopped && takesTcp) || (ending == Ending.TcpStopped && (takesAll || takesTcp)))
                            tcpStopped = true;
                        continue;
                    default:
                        continue; // LOG, MARK, an undefined chain…: the packet goes on
                }
                if (rule.Target is "ACCEPT" or "DROP" or "REJECT")
                {
                    if (takesAll)
                        return Ending.Stopped;
                    if (takesTcp)
                        tcpStopped = true;
                }
            }
            return tcpStopped ? Ending.TcpStopped : Ending.FallThrough;
        }
        finally
        {
            onStack.Remove(chain.Name);
        }
    }

    /// <summary>The context of a packet that matched both the jumps so far and this rule; null when no packet can.</summary>
    private static Context? Combine(Context context, IptablesRule rule)
    {
        var narrowed = new List<string>(context.Narrowed);
        narrowed.AddRange(rule.Other);
        var negation = context.Negation;
        var protocol = context.Protocol;
        if (rule.Protocol is { } p)
        {
            var normal = p switch { "6" => "tcp", "17" => "udp", "all" or "0" => null, _ => p };
            if (rule.ProtocolNegated)
                narrowed.Add("! -p " + p);
            else if (normal is not null)
            {
                if (protocol is not null && protocol != normal)
                    return null;
                protocol = normal;
            }
        }
        var networks = context.Networks;
        if (rule.Destinations.Count > 0)
        {
            if (rule.DestinationNegated)
                negation ??= "! -d " + string.Join(",", rule.Destinations.Select(Networks.Format));
            else if (networks is null)
                networks = rule.Destinations;
            else
            {
                networks = [.. networks.SelectMany(a => rule.Destinations.Where(b => Networks.Covers(a, b) || Networks.Covers(b, a)).Select(b => Networks.Covers(a, b) ? b : a)).Distinct()];
                if (networks.Count == 0)
                    return null;
            }
        }
        var set = context.Set;
        var setPort = context.SetPort;
        if (rule.DestinationSet is { } named)
        {
            if (rule.DestinationSetNegated)
                negation ??= $"! --match-set {named} dst";
            else if (set is null)
                (set, setPort) = (named, rule.SetMatchesPort);
            else if (set != named)
                narrowed.Add($"--match-set {named} dst");
        }
        var ports = context.Ports;
        if (rule.Ports is { } rulePorts)
        {
            if (rule.PortsNegated)
                narrowed.Add("! --dport " + string.Join(",", rulePorts));
            else
            {
                ports = PortRanges.Intersect(ports, rulePorts);
                if (ports!.Count == 0)
                    return null;
            }
        }
        var loopback = context.Loopback;
        if (rule.OutInterface is { } device)
        {
            if (device == "lo" && !rule.OutInterfaceNegated)
                loopback = true;
            else
                narrowed.Add($"{(rule.OutInterfaceNegated ? "! " : "")}-o {device}");
        }
        return context with
        {
            Protocol = protocol, Networks = networks, Set = set, SetPort = setPort, Ports = ports, Negation = negation, Loopback = loopback,
            Established = context.Established || rule.EstablishedOnly, Narrowed = narrowed,
        };
    }

    private static List<Admission> Admit(Context context, IptablesRule rule, IpsetDump sets, List<string> notes)
    {
        var admission = new Admission
        {
            Kind = AdmissionKind.Destinations,
            Location = rule.Location,
            Protocol = context.Protocol,
            Ports = context.Ports,
            Comment = rule.Comment,
            Path = context.Path,
            Narrowed = context.Narrowed,
            Networks = context.Networks ?? [],
        };
        if (context.Loopback)
            return [admission with { Kind = AdmissionKind.Loopback }];
        if (context.Established)
            return [admission with { Kind = AdmissionKind.Established }];
        if (context.Negation is { } negation)
            return [admission with { Kind = AdmissionKind.Everything, Why = $"{negation} admits every destination but those", Networks = [] }];
        if (context.Set is { } name)
        {
            if (!sets.Sets.TryGetValue(name, out var set))
            {
                notes.Add($"{rule.Location}: set {name} is not in any ipset dump given; give its `ipset save` too");
                return [];
            }
            var entries = context.Networks is { } within
                ? set.Entries.Where(e => within.Any(n => Networks.Covers(n, e.Network))).ToList()
                : set.Entries;
            var byPort = entries.Where(e => e.Port is null || !context.SetPort).Select(e => e.Network).Distinct().ToList();
            var result = new List<Admission>();
            if (byPort.Count > 0)
                result.Add(admission with { Set = name, Networks = byPort });
            foreach (var entry in entries.Where(e => e.Port is not null && context.SetPort))
            {
                var ports = PortRanges.Intersect(context.Ports, [entry.Port!]);
                if (ports!.Count > 0)
                    result.Add(admission with { Set = name, Networks = [entry.Network], Ports = ports, Protocol = context.Protocol ?? entry.Protocol });
            }
            if (set.Entries.Count == 0)
                notes.Add($"{rule.Location}: set {name} is empty: the rule admits nothing today");
            return result;
        }
        if (context.Networks is null)
            return [admission with { Kind = AdmissionKind.Everything, Why = "no destination match" }];
        return [admission];
    }
}
