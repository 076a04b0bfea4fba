using System.Text.RegularExpressions;

namespace Reconciler.Policies.Validation;

/// <summary>Durations such as <c>14d</c>, <c>36h</c>, <c>2w</c> or <c>1d12h</c>.</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(?:(\d+)([smhdw]))+$")]
    private static partial Regex Shape();

    public static bool TryParse(string text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        var match = Shape().Match(text.Trim());
        if (!match.Success)
        {
            error = $"'{text}' is not a duration; write a number and a unit (s, m, h, d, w), e.g. 14d or 36h";
            return false;
        }
        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            if (!long.TryParse(match.Groups[1].Captures[i].Value, out var n) || n > 100_000)
            {
                error = $"'{text}' is too long a duration";
                return false;
            }
            duration += match.Groups[2].Captures[i].Value switch
            {
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromDays(7 * n),
            };
        }
        error = "";
        return true;
    }
}
