using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reconciler.Reports;

/// <summary>Writes and reads <c>report.json</c>. Field names are the contract of SPEC §5: snake-free camelCase, kebab-case enums.</summary>
public static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Write(Report report) => JsonSerializer.Serialize(new Wire(report), Options) + "\n";

    /// <summary>The shape on disk: the report plus its derived counts, which readers should not have to recompute.</summary>
    private sealed record Wire(
        int SchemaVersion,
        RunInfo Run,
        Counts Counts,
        IReadOnlyList<WireFinding> Findings,
        IReadOnlyList<string> Notes)
    {
        public Wire(Report r)
            : this(r.SchemaVersion, r.Run, new Counts(r.CountsByKind, r.CountsBySeverity, r.Findings.Count), [.. r.Findings.Select(f => new WireFinding(f))], r.Notes)
        {
        }
    }

    private sealed record Counts(IReadOnlyDictionary<string, int> ByKind, IReadOnlyDictionary<string, int> BySeverity, int Total);

    private sealed record WireFinding(
        string Kind,
        Severity Severity,
        string Dependency,
        string? Allowlist,
        string? Host,
        string Subject,
        string Message,
        IReadOnlyList<Evidence> Evidence,
        string? Location,
        string Fingerprint,
        FindingAction Action)
    {
        public WireFinding(Finding f)
            : this(f.Kind.ToWire(), f.Severity, f.Dependency, f.Allowlist, f.Host, f.Subject, f.Message, f.Evidence, f.Location?.ToString(), f.Fingerprint, f.Action)
        {
        }
    }
}
