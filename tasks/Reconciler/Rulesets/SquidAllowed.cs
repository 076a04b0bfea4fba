using Reconciler.Diagnostics;

namespace Reconciler.Rulesets;

/// <summary>What one <c>http_access allow</c> line admits: the destination ACLs it names, or any destination.</summary>
public sealed record SquidAdmission(SourceLocation Location, IReadOnlyList<SquidAcl> Destinations, IReadOnlyList<int>? Ports, bool Everything, IReadOnlyList<string> Narrowed);

/// <summary>
/// The <c>http_access allow</c> lines a request can reach, in order, until an unconditional deny (<c>deny all</c>).
/// A line with no positive <c>dstdomain</c>/<c>dst</c> ACL admits any destination (for the clients its other ACLs
/// match). Like <see cref="OutputPath"/> it errs on the side of admitting: earlier partial denies never remove an allow.
/// </summary>
public static class SquidAllowed
{
    private static readonly HashSet<string> DestinationTypes = new(StringComparer.Ordinal) { "dstdomain", "dst", "dstdom_regex", "dst_as", "url_regex", "ssl::server_name", "ssl::server_name_regex" };

    public static IReadOnlyList<SquidAdmission> Of(SquidConfigDump config)
    {
        var admissions = new List<SquidAdmission>();
        foreach (var line in config.Access)
        {
            var known = line.Acls.Where(a => a.Acl != "all").ToList();
            if (!line.Allow)
            {
                if (known.Count == 0)
                    break;
                continue;
            }
            var destinations = new List<SquidAcl>();
            var narrowed = new List<string>();
            List<int>? ports = null;
            foreach (var (name, negated) in known)
            {
                var acls = config.Acls.GetValueOrDefault(name) ?? [];
                if (!negated && acls.Count > 0 && acls.All(a => DestinationTypes.Contains(a.Type)))
                    destinations.AddRange(acls);
                else if (!negated && acls.Count > 0 && acls.All(a => a.Type == "port") && Ports(acls) is { } listed)
                    ports = listed;
                else
                    narrowed.Add((negated ? "!" : "") + name);
            }
            admissions.Add(new SquidAdmission(line.Location, destinations, ports, destinations.Count == 0, narrowed));
        }
        return admissions;
    }

    private static List<int>? Ports(List<SquidAcl> acls)
    {
        var ports = new List<int>();
        foreach (var value in acls.SelectMany(a => a.Values))
        {
            if (!PortRanges.TryParse(value.Replace('-', ':'), out var ranges, out _) || PortRanges.Expand(ranges, 15) is not { } expanded)
                return null;
            ports.AddRange(expanded);
        }
        return [.. ports.Distinct().Order()];
    }
}
