using System.Globalization;
using Reconciler.Diagnostics;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Yaml;

namespace Reconciler.Policies.Loading;

/// <summary>
/// Typed reads of one YAML mapping that collect errors instead of throwing. It remembers which keys were asked
/// for, so whatever is left over is an unknown key, suggested against exactly the keys this section knows.
/// </summary>
internal sealed class MappingReader
{
    private readonly YamlMapping _mapping;
    private readonly List<PolicyError> _errors;
    private readonly List<string> _known = [];

    public MappingReader(YamlMapping mapping, string what, List<PolicyError> errors)
    {
        _mapping = mapping;
        What = what;
        _errors = errors;
    }

    /// <summary>What this mapping is, for messages: "dependency 'gmc-api'".</summary>
    public string What { get; set; }

    public SourceLocation Location => _mapping.Location;

    public TextSpan Span => new(_mapping.Start, _mapping.End);

    public bool Has(string key) => _mapping.Entries.Any(e => e.Key.Value == key);

    public YamlNode? Node(string key, bool required = false)
    {
        _known.Add(key);
        foreach (var (k, v) in _mapping.Entries)
        {
            if (k.Value == key)
                return v is YamlScalar { IsNull: true } && required ? Missing(key) : v;
        }
        return required ? Missing(key) : null;
    }

    public YamlScalar? Scalar(string key, bool required = false) => Node(key, required) switch
    {
        null => null,
        YamlScalar { IsNull: true } => null,
        YamlScalar s => s,
        var other => WrongType<YamlScalar>(key, other, "a single value"),
    };

    /// <summary>A name or free text; control characters are refused (line breaks only where <paramref name="multiline"/>).</summary>
    public string? String(string key, bool required = false, bool multiline = false)
    {
        var scalar = Scalar(key, required);
        if (scalar is not null && ControlCharacters.Problem(scalar.Value, $"'{key}'", multiline) is { } problem)
        {
            Error(scalar.Location, problem);
            return null;
        }
        return scalar?.Value;
    }

    public int? Int(string key, int min, int max)
    {
        var scalar = Scalar(key);
        if (scalar is null)
            return null;
        return ParseInt(scalar, key, min, max);
    }

    public bool? Bool(string key)
    {
        var scalar = Scalar(key);
        if (scalar is null)
            return null;
        if (scalar.IsPlain && scalar.Value is "true" or "false")
            return scalar.Value == "true";
        Error(scalar.Location, $"'{key}' must be true or false, not '{scalar.Value}'");
        return null;
    }

    public YamlMapping? Mapping(string key, bool required = false) => Node(key, required) switch
    {
        null => null,
        YamlScalar { IsNull: true } => null,
        YamlMapping m => m,
        var other => WrongType<YamlMapping>(key, other, "a mapping"),
    };

    public IReadOnlyList<YamlNode> List(string key, bool required = false) => Node(key, required) switch
    {
        null => [],
        YamlScalar { IsNull: true } => [],
        YamlSequence s => s.Items,
        var other => WrongType<YamlSequence>(key, other, $"a list (e.g. {key}: [{(other as YamlScalar)?.Value}])")?.Items ?? [],
    };

    /// <summary>A list of single values; items that are not are reported and skipped.</summary>
    public IReadOnlyList<YamlScalar> Scalars(string key, bool required = false)
    {
        var result = new List<YamlScalar>();
        foreach (var item in List(key, required))
        {
            if (item is YamlScalar { IsNull: false } s)
                result.Add(s);
            else
                Error(item.Location, $"each item of '{key}' must be a single value, not {item.KindName}");
        }
        return result;
    }

    public IReadOnlyList<int> Ints(string key, int min, int max) =>
        [.. Scalars(key).Select(s => ParseInt(s, key, min, max)).OfType<int>()];

    /// <summary>A value that must be one of a few words, as an enum.</summary>
    public TEnum? Choice<TEnum>(string key, bool required = false) where TEnum : struct, Enum =>
        Choice(key, [.. Enum.GetValues<TEnum>().Select(v => (v.ToString().ToLowerInvariant(), v))], required);

    /// <summary>One of <paramref name="choices"/>, by the name a policy spells it with (a table's, where a name is no enum member's).</summary>
    public TEnum? Choice<TEnum>(string key, IReadOnlyList<(string Name, TEnum Value)> choices, bool required = false) where TEnum : struct, Enum
    {
        var scalar = Scalar(key, required);
        if (scalar is null)
            return null;
        foreach (var (name, value) in choices)
        {
            if (name == scalar.Value)
                return value;
        }
        var names = choices.Select(c => c.Name).ToList();
        Error(scalar.Location, $"'{key}' must be one of {string.Join(", ", names)}, not '{scalar.Value}'{DidYouMean.Suffix(scalar.Value, names)}");
        return null;
    }

    public static Located<T> Locate<T>(T value, YamlNode node) => new(value, node.Location, node.Start, node.End);

    /// <summary>Call once every key has been read: reports the keys nobody asked for.</summary>
    public void ReportUnknownKeys()
    {
        foreach (var (key, _) in _mapping.Entries)
        {
            if (!_known.Contains(key.Value))
                Error(key.Location, $"unknown key '{key.Value}' in {What}{DidYouMean.Suffix(key.Value, _known)}");
        }
    }

    public void Error(SourceLocation at, string message) => _errors.Add(new PolicyError(at, message));

    private int? ParseInt(YamlScalar scalar, string key, int min, int max)
    {
        if (scalar.IsPlain && int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
                return value;
            Error(scalar.Location, $"'{key}' must be from {min} to {max}, not {value}");
            return null;
        }
        if (scalar.IsPlain && scalar.Value.Length > 0 && scalar.Value.TrimStart('-', '+').All(char.IsAsciiDigit) && scalar.Value.TrimStart('-', '+').Length > 0)
        {
            Error(scalar.Location, $"'{key}' must be from {min} to {max}, not {ControlCharacters.Escape(scalar.Value)}");
            return null;
        }
        Error(scalar.Location, $"'{key}' must be a whole number, not '{ControlCharacters.Escape(scalar.Value)}'");
        return null;
    }

    private YamlNode? Missing(string key)
    {
        Error(_mapping.Location, $"{What} is missing required key '{key}'");
        return null;
    }

    private T? WrongType<T>(string key, YamlNode node, string expected) where T : YamlNode
    {
        Error(node.Location, $"'{key}' must be {expected}, not {node.KindName}");
        return null;
    }
}
