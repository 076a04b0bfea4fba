using System.Globalization;

namespace Reconciler.Rulesets;

/// <summary>Destination ports from 1 to 65535, as iptables writes them: <c>443</c>, <c>1:65535</c>, <c>80,443,8000:8080</c>.</summary>
public sealed record PortRange(int From, int To)
{
    public int Count => To - From + 1;

    public bool Contains(int port) => port >= From && port <= To;

    public override string ToString() => From == To ? From.ToString(CultureInfo.InvariantCulture) : $"{From}-{To}";
}

public static class PortRanges
{
    /// <summary>Port names iptables-restore input may carry instead of numbers (iptables-save always writes numbers).</summary>
    private static readonly Dictionary<string, int> Services = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ftp"] = 21, ["ssh"] = 22, ["telnet"] = 23, ["smtp"] = 25, ["domain"] = 53, ["http"] = 80, ["www"] = 80, ["pop3"] = 110,
        ["ntp"] = 123, ["imap"] = 143, ["snmp"] = 161, ["ldap"] = 389, ["https"] = 443, ["smtps"] = 465, ["submission"] = 587,
        ["ldaps"] = 636, ["imaps"] = 993, ["pop3s"] = 995, ["openvpn"] = 1194, ["mysql"] = 3306, ["postgresql"] = 5432,
    };

    /// <summary>Reads a port list; a missing side of a range is 0 or 65535, as in iptables.</summary>
    public static bool TryParse(string text, out List<PortRange> ranges, out string error)
    {
        ranges = [];
        error = "";
        foreach (var item in text.Split(','))
        {
            var sides = item.Split(':');
            if (sides.Length > 2 || item.Length == 0)
            {
                error = $"'{item}' is not a port or a range FROM:TO";
                return false;
            }
            if (!TryPort(sides[0], 0, out var from, out error) || !TryPort(sides[^1], 65535, out var to, out error))
                return false;
            if (from > to)
            {
                error = $"'{item}' is a range that ends before it starts";
                return false;
            }
            ranges.Add(new PortRange(Math.Max(from, 1), to));
        }
        return true;
    }

    private static bool TryPort(string text, int missing, out int port, out string error)
    {
        error = "";
        if (text.Length == 0)
        {
            port = missing;
            return true;
        }
        if ((int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535) || Services.TryGetValue(text, out port))
            return true;
        error = $"'{text}' is not a port number (0 to 65535) or a known service name";
        return false;
    }

    /// <summary>The ports both lists hold; null stands for every port.</summary>
    public static IReadOnlyList<PortRange>? Intersect(IReadOnlyList<PortRange>? a, IReadOnlyList<PortRange>? b)
    {
        if (a is null)
            return b;
        if (b is null)
            return a;
        return [.. a.SelectMany(x => b.Select(y => new PortRange(Math.Max(x.From, y.From), Math.Min(x.To, y.To)))).Where(r => r.From <= r.To)];
    }

    /// <summary>Every port of the ranges, or null when they hold more than <paramref name="most"/> (or every port).</summary>
    public static List<int>? Expand(IReadOnlyList<PortRange>? ranges, int most)
    {
        if (ranges is null || ranges.Sum(r => (long)r.Count) > most)
            return null;
        return [.. ranges.SelectMany(r => Enumerable.Range(r.From, r.Count)).Distinct().Order()];
    }

    public static string Describe(IReadOnlyList<PortRange>? ranges) =>
        ranges is null ? "every port" : (ranges.Count == 1 && ranges[0].Count == 1 ? "port " : "ports ") + string.Join(",", ranges);
}
