using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Policies.Validation;

namespace Reconciler.Rulesets;

/// <summary>The options of one <c>-A CHAIN …</c> line, read into an <see cref="IptablesRule"/>.</summary>
internal static class RuleReader
{
    // Options that take one value and say nothing about where outbound traffic may go.
    private static readonly HashSet<string> OneValue = new(StringComparer.Ordinal)
    {
        "-s", "--source", "--src", "-i", "--in-interface", "--sport", "--source-port", "--sports", "--source-ports",
        "--uid-owner", "--gid-owner", "--icmp-type", "--icmpv6-type", "--limit", "--limit-burst", "--log-prefix",
        "--log-level", "--reject-with", "--set-mark", "--mark", "--to-destination", "--to-source", "--to-ports", "--ctorigdst",
        "--src-type", "--dst-type", "--pkt-type", "--uid", "--dst-range", "--src-range", "--hashlimit", "--hashlimit-name",
        "--hashlimit-mode", "--hashlimit-upto", "--hashlimit-above", "--hashlimit-burst", "--name", "--seconds", "--hitcount",
        "--length", "--ttl-gt", "--ttl-lt", "--ttl-eq", "--queue-num", "--nflog-group", "--nflog-prefix", "--set-xmark",
        "--physdev-in", "--physdev-out", "--string", "--algo", "--to", "--from", "--set-class", "--set-dscp", "--dscp",
        "--connlimit-above", "--connlimit-upto", "--connlimit-mask", "--clamp-mss-to-pmtu", "--tcp-option", "--mss", "--nfmask", "--ctmask", "--zone", "--log-uid", "--log-tcp-options", "--log-ip-options", "--log-tcp-sequence",
    };

    public static IptablesRule? Read(SourceLocation at, string chain, List<string> tokens, int from, string line, int indent, List<DumpProblem> problems)
    {
        string? protocol = null, set = null, outInterface = null, comment = null, target = null;
        bool protocolNegated = false, destinationNegated = false, setNegated = false, portsNegated = false, outNegated = false, established = false, isGoto = false, setPort = false;
        var destinations = new List<IPNetwork>();
        IReadOnlyList<PortRange>? ports = null;
        var other = new List<string>();
        var negate = false;
        SourceLocation Column(int index) => at with { Column = indent + ColumnOf(line, tokens, index) };
        bool Fail(int index, string message)
        {
            problems.Add(new DumpProblem(Column(index), message));
            return false;
        }
        for (var i = from; i < tokens.Count; i++)
        {
            var option = tokens[i];
            if (option == "!")
            {
                negate = true;
                continue;
            }
            var takes = i + 1 < tokens.Count ? tokens[i + 1] : null;
            // Old iptables wrote the negation after the option: -d ! 192.0.2.1
            if (takes == "!" && i + 2 < tokens.Count)
            {
                negate = true;
                i++;
                takes = tokens[i + 1];
            }
            bool NeedValue() => takes is not null || Fail(i, $"{option} needs a value");
            switch (option)
            {
                case "-p" or "--protocol":
                    if (!NeedValue())
                        return null;
                    protocol = takes!.ToLowerInvariant();
                    protocolNegated = negate;
                    i++;
                    break;
                case "-d" or "--destination" or "--dst":
                    if (!NeedValue())
                        return null;
                    foreach (var item in takes!.Split(','))
                    {
                        if (!TryNetwork(item, out var network, out var error))
                            return Fail(i + 1, error) ? null : null;
                        destinations.Add(network);
                    }
                    destinationNegated = negate;
                    i++;
                    break;
                case "--dport" or "--destination-port" or "--dports" or "--destination-ports" or "--ports":
                    if (!NeedValue())
                        return null;
                    if (!PortRanges.TryParse(takes!, out var ranges, out var portError))
                        return Fail(i + 1, portError) ? null : null;
                    ports = PortRanges.Intersect(ports, ranges);
                    portsNegated = negate;
                    i++;
                    break;
                case "-o" or "--out-interface":
                    if (!NeedValue())
                        return null;
                    outInterface = takes;
                    outNegated = negate;
                    i++;
                    break;
                case "--match-set" or "--set":
                    if (takes is null || i + 2 >= tokens.Count)
                        return Fail(i, $"{option} needs a set name and its flags (dst, src…)") ? null : null;
                    var flags = tokens[i + 2].Split(',');
                    if (flags[0] == "dst")
                    {
                        set = takes;
                        setNegated = negate;
                        setPort = flags.Length > 1 && flags[1] == "dst";
                    }
                    else
                    {
                        other.Add($"{(negate ? "! " : "")}--match-set {takes} {tokens[i + 2]}");
                    }
                    i += 2;
                    break;
                case "--state" or "--ctstate":
                    if (!NeedValue())
                        return null;
                    var states = takes!.ToUpperInvariant().Split(',');
                    if (!negate && states.All(s => s is "ESTABLISHED" or "RELATED"))
                        established = true;
                    else if (!(states.Contains("NEW") && !negate))
                        other.Add($"{(negate ? "! " : "")}{option} {takes}");
                    i++;
                    break;
                case "--comment":
                    if (!NeedValue())
                        return null;
                    comment = takes;
                    i++;
                    break;
                case "-j" or "--jump" or "-g" or "--goto":
                    if (!NeedValue())
                        return null;
                    target = takes;
                    isGoto = option is "-g" or "--goto";
                    // What follows is the target's own options (--reject-with, --log-prefix…), read as the rest.
                    i++;
                    break;
                case "-m" or "--match":
                    if (!NeedValue())
                        return null;
                    i++;
                    break;
                case "--tcp-flags":
                    // MASK COMP: two values.
                    if (i + 2 >= tokens.Count)
                        return Fail(i, "--tcp-flags needs a mask and the flags set") ? null : null;
                    other.Add($"{(negate ? "! " : "")}--tcp-flags {tokens[i + 1]} {tokens[i + 2]}");
                    i += 2;
                    break;
                case "-c" or "--set-counters":
                    i += 2;
                    break;
                default:
                    if (OneValue.Contains(option))
                    {
                        if (option is not ("--reject-with" or "--log-prefix" or "--log-level" or "--to-destination" or "--to-source" or "--to-ports" or "--set-mark" or "--set-xmark" or "--queue-num" or "--nflog-group" or "--nflog-prefix" or "--set-class" or "--set-dscp" or "--nfmask" or "--ctmask" or "--zone"))
                            other.Add($"{(negate ? "! " : "")}{option} {takes}");
                        i++;
                    }
                    else if (option.StartsWith('-'))
                    {
                        // An option without a value (--syn, --save-mark…) or a module's we do not know, with whatever
                        // words follow it (--tcp-flags takes two): it narrows the rule, or belongs to its target.
                        var words = new List<string> { (negate ? "! " : "") + option };
                        while (i + 1 < tokens.Count && !tokens[i + 1].StartsWith('-') && tokens[i + 1] != "!")
                            words.Add(tokens[++i]);
                        if (target is null)
                            other.Add(string.Join(' ', words));
                    }
                    else
                    {
                        return Fail(i, $"'{option}' is not an option of an iptables rule") ? null : null;
                    }
                    break;
            }
            negate = false;
        }
        return new IptablesRule
        {
            Location = at,
            Chain = chain,
            Protocol = protocol,
            ProtocolNegated = protocolNegated,
            Destinations = destinations,
            DestinationNegated = destinationNegated,
            DestinationSet = set,
            DestinationSetNegated = setNegated,
            SetMatchesPort = setPort,
            Ports = ports,
            PortsNegated = portsNegated,
            OutInterface = outInterface,
            OutInterfaceNegated = outNegated,
            EstablishedOnly = established,
            Comment = comment,
            Target = target,
            Goto = isGoto,
            Other = other,
            Text = line,
        };
    }

    /// <summary>An address or network; host bits are masked off, as iptables does.</summary>
    private static bool TryNetwork(string text, out IPNetwork network, out string error)
    {
        if (Networks.TryParse(text, out network, out error))
            return true;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? text : text[..slash];
        if (!Networks.TryParseAddress(address, out var parsed))
        {
            error = $"'{text}' is not an address or network (a host name is resolved by iptables when it loads; iptables-save writes addresses)";
            return false;
        }
        var bits = parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        if (slash >= 0 && !(int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) && bits <= (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)))
        {
            error = $"'{text}' has no valid prefix length";
            return false;
        }
        network = new IPNetwork(Networks.Mask(parsed, bits), bits);
        error = "";
        return true;
    }

    /// <summary>The 1-based column of token <paramref name="index"/> in the line (found again by position, quotes aside).</summary>
    private static int ColumnOf(string line, List<string> tokens, int index)
    {
        var position = 0;
        for (var i = 0; i <= index && i < tokens.Count; i++)
        {
            var found = line.IndexOf(tokens[i], position, StringComparison.Ordinal);
            if (found < 0)
                return position + 1;
            if (i == index)
                return found + 1;
            position = found + tokens[i].Length;
        }
        return 1;
    }
}
