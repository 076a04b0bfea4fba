using System.Text.Encodings.Web;
using System.Text.Json;
using Reconciler.Findings;

namespace Reconciler.Reports;

/// <summary>
/// A report as SARIF 2.1.0 (<c>report.sarif</c>), for GitHub code scanning: one rule per finding kind, one result per
/// finding at its policy file and line, with the finding's fingerprint so that code scanning follows it across runs.
/// Written straight to the stream: a large estate has tens of thousands of results.
/// </summary>
public static class Sarif
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    private const int FlushAt = 32 * 1024;

    public static OutputFile File(Report report, Func<string, string> repositoryPath) =>
        new("report.sarif", stream => WriteTo(stream, report, repositoryPath));

    /// <param name="repositoryPath">A policy file's path from the repository root (what code scanning resolves).</param>
    public static void WriteTo(Stream stream, Report report, Func<string, string> repositoryPath)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var kinds = report.Findings.Select(f => f.Kind).Distinct().Order().ToList();
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "Reconciler");
        json.WriteString("semanticVersion", Diagnostics.ToolIdentity.Version);
        json.WriteStartArray("rules");
        foreach (var kind in kinds)
        {
            json.WriteStartObject();
            json.WriteString("id", kind.ToWire());
            json.WriteString("name", kind.ToString());
            json.WriteStartObject("shortDescription");
            json.WriteString("text", kind.ToWire().Replace('-', ' '));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("results");
        foreach (var finding in report.Findings)
        {
            json.WriteStartObject();
            json.WriteString("ruleId", finding.Kind.ToWire());
            json.WriteNumber("ruleIndex", kinds.IndexOf(finding.Kind));
            json.WriteString("level", Level(finding.Severity));
            json.WriteStartObject("message");
            json.WriteString("text", $"{finding.Dependency}: {finding.Message}");
            json.WriteEndObject();
            if (finding.Location is { } location)
            {
                json.WriteStartArray("locations");
                json.WriteStartObject();
                json.WriteStartObject("physicalLocation");
                json.WriteStartObject("artifactLocation");
                json.WriteString("uri", repositoryPath(location.File));
                json.WriteEndObject();
                json.WriteStartObject("region");
                json.WriteNumber("startLine", Math.Max(1, location.Line));
                json.WriteNumber("startColumn", Math.Max(1, location.Column));
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
            }
            json.WriteStartObject("partialFingerprints");
            json.WriteString("reconciler/v1", finding.Fingerprint);
            json.WriteEndObject();
            json.WriteStartObject("properties");
            json.WriteString("severity", finding.Severity.ToWire());
            json.WriteString("dependency", finding.Dependency);
            json.WriteString("subject", finding.Subject);
            json.WriteEndObject();
            json.WriteEndObject();
            // Unflushed, the writer would hold the whole file in memory.
            if (json.BytesPending > FlushAt)
                json.Flush();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };
}
