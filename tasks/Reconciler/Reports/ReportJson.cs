using System.Text.Json;
using Reconciler.Files;
using Reconciler.Findings;

namespace Reconciler.Reports;

/// <summary>Writes and reads <c>report.json</c>. Its field names are a contract (README "Reports"): camelCase, kebab-case enums.</summary>
public static class ReportJson
{
    public static JsonSerializerOptions Options => WireJson.Indented;

    public static string Write(Report report)
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer, report);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static void WriteTo(Stream stream, Report report)
    {
        JsonSerializer.Serialize(stream, Wire.From(report), Options);
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Reads a report.json back (for Merge); its counts are derived again, not trusted.</summary>
    public static Report Read(string json)
    {
        var wire = JsonSerializer.Deserialize<Wire>(json, Options) ?? throw new FormatException("an empty report");
        return new Report
        {
            SchemaVersion = wire.SchemaVersion,
            Run = wire.Run,
            Notes = wire.Notes ?? [],
            Findings = [.. (wire.Findings ?? []).Select(f => new Finding
            {
                Kind = FindingKinds.TryParse(f.Kind, out var kind) ? kind : throw new FormatException($"unknown finding kind '{f.Kind}'"),
                Severity = f.Severity,
                Dependency = f.Dependency,
                Allowlist = f.Allowlist,
                PrefixSet = f.PrefixSet,
                Host = f.Host,
                Subject = f.Subject,
                Message = f.Message,
                Action = f.Action,
                Evidence = f.Evidence ?? [],
                Location = ParseLocation(f.Location),
                Waf = f.Waf,
                Kept = f.Kept,
            })],
        };
    }

    private static Diagnostics.SourceLocation? ParseLocation(string? text)
    {
        var parts = text?.Split(':');
        return parts is { Length: >= 3 } && int.TryParse(parts[^2], out var line) && int.TryParse(parts[^1], out var column)
            ? new Diagnostics.SourceLocation(string.Join(':', parts[..^2]), line, column)
            : null;
    }

    /// <summary>The shape on disk: the report plus its derived counts, which readers should not have to recompute.</summary>
    private sealed record Wire(
        int SchemaVersion,
        RunInfo Run,
        Counts? Counts,
        IReadOnlyList<WireFinding> Findings,
        IReadOnlyList<string> Notes)
    {
        public static Wire From(Report r) =>
            new(r.SchemaVersion, r.Run, new Counts(r.CountsByKind, r.CountsBySeverity, r.Findings.Count), [.. r.Findings.Select(WireFinding.From)], r.Notes);
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
        FindingAction Action,
        string? PrefixSet = null,
        string? Waf = null,
        RemovalKept? Kept = null)
    {
        public static WireFinding From(Finding f) =>
            new(f.Kind.ToWire(), f.Severity, f.Dependency, f.Allowlist, f.Host, f.Subject, f.Message, f.Evidence, f.Location?.ToString(), f.Fingerprint, f.Action, f.PrefixSet, f.Waf, f.Kept);
    }
}
