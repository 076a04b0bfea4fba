using System.Globalization;
using System.Text;

namespace Reconciler.Reports;

/// <summary>
/// One point of InfluxDB line protocol: <c>measurement,tag=value field=1i,text="…" timestamp</c>, escaped as
/// InfluxDB 1.x and 2.x read it. Tags are sorted by key (what InfluxDB does on write anyway) and an empty tag
/// value is left out, since the protocol has no way to write one.
/// </summary>
public sealed class LinePoint(string measurement)
{
    private readonly SortedDictionary<string, string> _tags = new(StringComparer.Ordinal);
    private readonly List<(string Key, string Value)> _fields = [];

    public LinePoint Tag(string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
            _tags[key] = value;
        return this;
    }

    public LinePoint Field(string key, long value) => Add(key, value.ToString(CultureInfo.InvariantCulture) + "i");

    /// <summary>A float field; NaN and infinities are not numbers line protocol can carry, so they are left out.</summary>
    public LinePoint Field(string key, double value) =>
        double.IsFinite(value) ? Add(key, value.ToString("R", CultureInfo.InvariantCulture)) : this;

    public LinePoint Field(string key, bool value) => Add(key, value ? "true" : "false");

    public LinePoint Field(string key, string? value) => value is null ? this : Add(key, "\"" + LineProtocol.FieldString(value) + "\"");

    private LinePoint Add(string key, string written)
    {
        _fields.Add((key, written));
        return this;
    }

    /// <summary>The line, or null when it has no field (line protocol needs at least one).</summary>
    public string? Write(DateTimeOffset at)
    {
        if (_fields.Count == 0)
            return null;
        var line = new StringBuilder(LineProtocol.Measurement(measurement));
        foreach (var (key, value) in _tags)
            line.Append(',').Append(LineProtocol.Key(key)).Append('=').Append(LineProtocol.Key(value));
        line.Append(' ');
        line.AppendJoin(',', _fields.Select(f => LineProtocol.Key(f.Key) + "=" + f.Value));
        return line.Append(' ').Append(LineProtocol.Nanoseconds(at).ToString(CultureInfo.InvariantCulture)).ToString();
    }
}

/// <summary>The escaping rules of InfluxDB line protocol.</summary>
public static class LineProtocol
{
    /// <summary>Measurements: commas and spaces are escaped.</summary>
    public static string Measurement(string name) => Escape(name, ", ");

    /// <summary>
    /// Tag keys, tag values and field keys: commas, equals signs and spaces are escaped. A line break cannot be
    /// written at all and becomes a space; a backslash that would escape what follows it (or ends the text, where
    /// InfluxDB 1.x refuses the line) becomes a slash, since 1.x keeps <c>\\</c> as two characters.
    /// </summary>
    public static string Key(string text) => Escape(text, ", =");

    /// <summary>String field values, inside their double quotes: double quotes and backslashes are escaped.</summary>
    public static string FieldString(string text)
    {
        // Most texts need nothing escaped; a run writes tens of thousands of them.
        if (text.AsSpan().IndexOfAny("\"\\\n\r") < 0)
            return text;
        var result = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
                result.Append('\\');
            result.Append(c is '\n' or '\r' ? ' ' : c);
        }
        return result.ToString();
    }

    public static long Nanoseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static string Escape(string text, string special)
    {
        if (text.AsSpan().IndexOfAny("\\\n\r") < 0 && text.AsSpan().IndexOfAny(special) < 0)
            return text;
        var result = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i] is '\n' or '\r' ? ' ' : text[i];
            if (c == '\\')
            {
                var next = i + 1 < text.Length ? (text[i + 1] is '\n' or '\r' ? ' ' : text[i + 1]) : '\0';
                result.Append(next == '\0' || special.Contains(next, StringComparison.Ordinal) ? '/' : '\\');
                continue;
            }
            if (special.Contains(c, StringComparison.Ordinal))
                result.Append('\\');
            result.Append(c);
        }
        return result.ToString();
    }
}
