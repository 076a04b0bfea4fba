using System.Globalization;
using System.Text.RegularExpressions;

namespace Reconciler.Policies.Validation;

/// <summary>Durations such as <c>14d</c>, <c>36h</c>, <c>2w</c> or <c>1d12h</c>, range-checked where they are read.</summary>
public static partial class Durations
{
    /// <summary>Shorter than this, one run's lookups could prove an address unused; see README "Policies".</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromHours(1);

    /// <summary>Ten years: longer is a typo, and date arithmetic with it overflows.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    [GeneratedRegex(@"^(?:([0-9]{1,12})([smhdw]))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    /// <summary>A duration from one hour to ten years.</summary>
    public static bool TryParse(string text, out TimeSpan duration, out string error) =>
        TryParse(text, Shortest, Longest, out duration, out error);

    /// <summary>A duration within [<paramref name="min"/>, <paramref name="max"/>], for keys whose range differs.</summary>
    public static bool TryParse(string text, TimeSpan min, TimeSpan max, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        var match = Shape().Match(text);
        if (!match.Success)
        {
            error = $"'{text}' is not a duration; write a number and a unit (s, m, h, d, w), e.g. 14d or 36h";
            return false;
        }
        // Seconds in decimal: twelve digits of weeks still fit, so no unit can overflow before the range check.
        decimal seconds = 0;
        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            var n = decimal.Parse(match.Groups[1].Captures[i].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            seconds += n * match.Groups[2].Captures[i].Value switch
            {
                "s" => 1m,
                "m" => 60m,
                "h" => 3600m,
                "d" => 86_400m,
                _ => 604_800m,
            };
        }
        if (seconds < (decimal)min.TotalSeconds || seconds > (decimal)max.TotalSeconds)
        {
            error = $"'{text}' is out of range: durations lie between {Describe(min)} and {Describe(max)}";
            return false;
        }
        duration = TimeSpan.FromSeconds((double)seconds);
        error = "";
        return true;
    }

    private static string Describe(TimeSpan span) =>
        span == Longest ? "ten years (3650d)"
        : span == Shortest ? "one hour (1h)"
        : span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : $"{span.TotalSeconds:0}s";
}
