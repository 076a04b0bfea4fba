using System.Globalization;

namespace Reconciler.Policies.Validation;

/// <summary>Shares such as <c>30%</c> (or <c>0.3</c>), from none to all.</summary>
public static class Shares
{
    public static bool TryParse(string text, out double share)
    {
        var percent = text.EndsWith('%');
        var number = percent ? text[..^1] : text;
        share = 0;
        if (number.Length == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return false;
        share = percent ? value / 100 : value;
        return share is >= 0 and <= 1;
    }
}
