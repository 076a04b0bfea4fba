using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reconciler.Reports;

/// <summary>
/// A report as SARIF 2.1.0 (<c>report.sarif</c>), for GitHub code scanning: one rule per finding kind, one result per
/// finding at its policy file and line, with the finding's fingerprint so that code scanning follows it across runs.
/// </summary>
public static class Sarif
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public static string Write(Report report, Func<string, string>? repositoryPath = null)
    {
        var path = repositoryPath ?? (p => p);
        var kinds = report.Findings.Select(f => f.Kind).Distinct().Order().ToList();
        var results = new JsonArray();
        foreach (var finding in report.Findings)
        {
            var result = new JsonObject
            {
                ["ruleId"] = finding.Kind.ToWire(),
                ["ruleIndex"] = kinds.IndexOf(finding.Kind),
                ["level"] = Level(finding.Severity),
                ["message"] = new JsonObject { ["text"] = $"{finding.Dependency}: {finding.Message}" },
                ["partialFingerprints"] = new JsonObject { ["reconciler/v1"] = finding.Fingerprint },
                ["properties"] = new JsonObject { ["severity"] = finding.Severity.ToString().ToLowerInvariant(), ["dependency"] = finding.Dependency, ["subject"] = finding.Subject },
            };
            if (finding.Location is { } location)
            {
                result["locations"] = new JsonArray(new JsonObject
                {
                    ["physicalLocation"] = new JsonObject
                    {
                        ["artifactLocation"] = new JsonObject { ["uri"] = path(location.File) },
                        ["region"] = new JsonObject { ["startLine"] = Math.Max(1, location.Line), ["startColumn"] = Math.Max(1, location.Column) },
                    },
                });
            }
            results.Add(result);
        }
        var sarif = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "Reconciler",
                        ["semanticVersion"] = Run.ReconcilerRun.ToolVersion,
                        ["rules"] = new JsonArray([.. kinds.Select(k => (JsonNode)new JsonObject
                        {
                            ["id"] = k.ToWire(),
                            ["name"] = k.ToString(),
                            ["shortDescription"] = new JsonObject { ["text"] = k.ToWire().Replace('-', ' ') },
                        })]),
                    },
                },
                ["results"] = results,
            }),
        };
        return sarif.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };
}
