using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using System.Text.Json;

namespace Reconciler.Files;

/// <summary>
/// One JSON convention for every file Reconciler writes and reads back (report.json, observations.json, plan.json):
/// camelCase fields, kebab-case enums, no nulls, and non-ASCII text as itself (README "Reports").
/// </summary>
public static class WireJson
{
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>The same, on one line: for files read by machines only (observations.json).</summary>
    public static JsonSerializerOptions Compact { get; } = new(Indented) { WriteIndented = false };
}
