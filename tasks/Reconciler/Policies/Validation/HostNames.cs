using System.Globalization;
using Reconciler.Diagnostics;

namespace Reconciler.Policies.Validation;

/// <summary>DNS host names as RFC 1035/1123 allow them; international names are taken through punycode.</summary>
public static class HostNames
{
    private static readonly System.Buffers.SearchValues<char> HostCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>The name in lower-case ASCII (punycode for IDNs), or an error that says what is wrong.</summary>
    public static bool TryNormalize(string text, out string normalized, out string error)
    {
        normalized = "";
        if (ControlCharacters.Problem(text, "host name") is { } control)
            return Fail(control, out error);
        var name = text.Trim();
        if (name.EndsWith('.'))
            name = name[..^1];
        if (name.Length == 0)
            return Fail("a host name cannot be empty", out error);
        if (name.Contains('*'))
            return Fail($"'{text}' is a wildcard; DNS cannot resolve it: admit it by name at a proxy (domains: [.{name.TrimStart('*', '.')}])", out error);
        if (name.Contains("://", StringComparison.Ordinal) || name.Contains('/'))
            return Fail($"'{text}' is a URL, not a host name; write only the host, e.g. '{HostOf(name)}'", out error);
        if (name.Any(c => c > 127))
        {
            try { name = Idn.GetAscii(name); }
            catch (ArgumentException) { return Fail($"'{text}' is not a valid international domain name", out error); }
        }
        name = name.ToLowerInvariant();
        if (name.Length > 253)
            return Fail($"host name is {name.Length} characters long; DNS allows at most 253", out error);
        foreach (var label in name.Split('.'))
        {
            if (label.Length == 0)
                return Fail($"'{text}' has an empty label (two dots in a row?)", out error);
            if (label.Length > 63)
                return Fail($"label '{Shorten(label)}' is {label.Length} characters long; DNS allows at most 63", out error);
            if (label[0] == '-' || label[^1] == '-')
                return Fail($"label '{label}' starts or ends with a hyphen", out error);
            // An index, not FirstOrDefault: a NUL is default(char), and would pass as "none found".
            var bad = label.AsSpan().IndexOfAnyExcept(HostCharacters);
            if (bad >= 0)
                return Fail($"'{text}' has the character '{label[bad]}'; host names hold only letters, digits, hyphens and dots", out error);
        }
        if (name.Split('.')[^1].All(char.IsAsciiDigit))
            return Fail($"'{text}' looks like an address, not a host name", out error);
        normalized = name;
        error = "";
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }

    private static string HostOf(string url) =>
        Uri.TryCreate(url.Contains("://", StringComparison.Ordinal) ? url : "https://" + url, UriKind.Absolute, out var uri) ? uri.Host : url;

    private static string Shorten(string label) => label.Length <= 20 ? label : label[..17] + "...";
}
