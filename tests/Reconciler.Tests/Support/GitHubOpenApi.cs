using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reconciler.Tests.Support;

/// <summary>
/// GitHub's official REST description (npm @octokit/openapi, installed by .ci/install-npm-tools), used to
/// check every request the fake GitHub receives: the route and method exist, path and query parameters are
/// declared and of the right type, and the JSON body matches the operation's schema. Prism, the validating mock,
/// checks the real client against the same file; a test shows both refuse the same bad requests.
/// </summary>
internal sealed partial class GitHubOpenApi
{
    public static string Directory { get; } = Environment.GetEnvironmentVariable("RECONCILER_NPM_TOOLS")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "reconciler", "npm-tools");

    public static string SpecPath => Path.Combine(Directory, "github.fixed.json");

    private static readonly Lazy<GitHubOpenApi> Shared = new(() =>
    {
        if (!File.Exists(SpecPath))
            throw new InvalidOperationException($"GitHub's OpenAPI description is not at {SpecPath}: run `bash .ci/install-npm-tools` (.ci/run does)");
        return new GitHubOpenApi(JsonDocument.Parse(File.ReadAllBytes(SpecPath)));
    });

    public static GitHubOpenApi Instance => Shared.Value;

    private readonly JsonElement _root;
    private readonly List<(string Template, string[] Segments, JsonElement Item)> _paths;

    private GitHubOpenApi(JsonDocument document)
    {
        _root = document.RootElement;
        _paths = [.. _root.GetProperty("paths").EnumerateObject().Select(p => (p.Name, p.Name.Split('/'), p.Value))];
    }

    /// <summary>The operation's id (e.g. <c>pulls/create</c>) and what is wrong with the request (empty when nothing).</summary>
    public (string? OperationId, List<string> Violations) Check(string method, string rawPath, string query, string? body)
    {
        var violations = new List<string>();
        var segments = rawPath.Split('/');
        var match = _paths
            .Where(p => p.Segments.Length == segments.Length && p.Segments.Zip(segments).All(s => IsParameter(s.First) ? s.Second.Length > 0 : s.First == s.Second))
            .OrderByDescending(p => p.Segments.Count(s => !IsParameter(s)))
            .Select(p => ((string Template, string[] Segments, JsonElement Item)?)p)
            .FirstOrDefault();
        if (match is not { } path)
            return (null, [$"no path of the description matches {rawPath}"]);
        if (!path.Item.TryGetProperty(method.ToLowerInvariant(), out var operation))
            return (null, [$"{path.Template} has no {method}"]);
        var id = operation.GetProperty("operationId").GetString();

        var parameters = Parameters(path.Item).Concat(Parameters(operation)).ToList();
        for (var i = 0; i < segments.Length; i++)
        {
            if (!IsParameter(path.Segments[i]))
                continue;
            var name = path.Segments[i][1..^1];
            var parameter = parameters.First(p => p.GetProperty("in").GetString() == "path" && p.GetProperty("name").GetString() == name);
            CheckScalar(Uri.UnescapeDataString(segments[i]), parameter.GetProperty("schema"), $"path {{{name}}}", violations);
        }
        var given = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(q => q.Split('=', 2)).ToDictionary(q => Uri.UnescapeDataString(q[0]), q => Uri.UnescapeDataString(q.Length > 1 ? q[1] : ""));
        foreach (var (name, value) in given)
        {
            var parameter = parameters.FirstOrDefault(p => p.GetProperty("in").GetString() == "query" && p.GetProperty("name").GetString() == name);
            if (parameter.ValueKind == JsonValueKind.Undefined)
                violations.Add($"query parameter {name} is not declared for {id}");
            else
                CheckScalar(value, parameter.GetProperty("schema"), $"query {name}", violations);
        }
        foreach (var required in parameters.Where(p => p.GetProperty("in").GetString() == "query" && p.TryGetProperty("required", out var r) && r.GetBoolean()))
        {
            if (!given.ContainsKey(required.GetProperty("name").GetString()!))
                violations.Add($"query parameter {required.GetProperty("name").GetString()} is required");
        }

        var hasBody = !string.IsNullOrEmpty(body);
        if (operation.TryGetProperty("requestBody", out var requestBody))
        {
            var schema = Resolve(requestBody).GetProperty("content").GetProperty("application/json").GetProperty("schema");
            var required = requestBody.TryGetProperty("required", out var r) && r.GetBoolean();
            if (!hasBody && required)
                violations.Add($"{id} needs a JSON body");
            else if (hasBody)
            {
                try
                {
                    using var json = JsonDocument.Parse(body!);
                    CheckSchema(json.RootElement, schema, "body", violations);
                }
                catch (JsonException e)
                {
                    violations.Add($"the body is not JSON: {e.Message}");
                }
            }
        }
        else if (hasBody)
        {
            violations.Add($"{id} takes no body");
        }
        return (id, violations);
    }

    private static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}');

    private IEnumerable<JsonElement> Parameters(JsonElement holder) =>
        holder.TryGetProperty("parameters", out var list) ? list.EnumerateArray().Select(Resolve) : [];

    private JsonElement Resolve(JsonElement element)
    {
        while (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("$ref", out var reference))
        {
            element = _root;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
                element = element.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }
        return element;
    }

    /// <summary>A path or query value is text; check it as the JSON value it stands for.</summary>
    private void CheckScalar(string text, JsonElement schema, string where, List<string> violations)
    {
        schema = Resolve(schema);
        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
        var json = type switch
        {
            "integer" or "number" => text,
            "boolean" => text is "true" or "false" ? text : JsonSerializer.Serialize(text),
            _ => JsonSerializer.Serialize(text),
        };
        try
        {
            using var document = JsonDocument.Parse(json);
            CheckSchema(document.RootElement, schema, where, violations);
        }
        catch (JsonException)
        {
            violations.Add($"{where}: '{text}' is not {type}");
        }
    }

    /// <summary>The JSON Schema keywords GitHub's description uses for request bodies (OpenAPI 3.0 dialect: nullable).</summary>
    private void CheckSchema(JsonElement value, JsonElement schema, string where, List<string> violations)
    {
        schema = Resolve(schema);
        if (value.ValueKind == JsonValueKind.Null && schema.TryGetProperty("nullable", out var nullable) && nullable.GetBoolean())
            return;
        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
                CheckSchema(value, part, where, violations);
        }
        foreach (var (keyword, exactlyOne) in new[] { ("oneOf", true), ("anyOf", false) })
        {
            if (!schema.TryGetProperty(keyword, out var choices))
                continue;
            var passing = choices.EnumerateArray().Count(choice =>
            {
                var trial = new List<string>();
                CheckSchema(value, choice, where, trial);
                return trial.Count == 0;
            });
            if (passing == 0 || (exactlyOne && passing > 1))
                violations.Add($"{where}: matches {passing} of the {keyword} schemas");
        }
        if (schema.TryGetProperty("type", out var typeElement) && !HasType(value, typeElement.GetString()!))
        {
            violations.Add($"{where}: {value.ValueKind} where {typeElement.GetString()} is expected");
            return;
        }
        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
            violations.Add($"{where}: {value} is not one of {allowed}");
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (schema.TryGetProperty("minLength", out var min) && text.Length < min.GetInt32())
                violations.Add($"{where}: shorter than {min}");
            if (schema.TryGetProperty("maxLength", out var max) && text.Length > max.GetInt32())
                violations.Add($"{where}: longer than {max}");
            if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!))
                violations.Add($"{where}: does not match {pattern}");
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            var number = value.GetDouble();
            if (schema.TryGetProperty("minimum", out var min) && number < min.GetDouble())
                violations.Add($"{where}: below {min}");
            if (schema.TryGetProperty("maximum", out var max) && number > max.GetDouble())
                violations.Add($"{where}: above {max}");
        }
        if (value.ValueKind == JsonValueKind.Array)
        {
            if (schema.TryGetProperty("items", out var items))
            {
                var i = 0;
                foreach (var item in value.EnumerateArray())
                    CheckSchema(item, items, $"{where}[{i++}]", violations);
            }
            if (schema.TryGetProperty("minItems", out var min) && value.GetArrayLength() < min.GetInt32())
                violations.Add($"{where}: fewer than {min} items");
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(n => n.GetString()!))
                {
                    if (!value.TryGetProperty(name, out _))
                        violations.Add($"{where}: the property {name} is required");
                }
            }
            foreach (var property in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                    CheckSchema(property.Value, propertySchema, $"{where}.{property.Name}", violations);
                else if (schema.TryGetProperty("additionalProperties", out var additional))
                {
                    if (additional.ValueKind == JsonValueKind.False)
                        violations.Add($"{where}: the property {property.Name} is not allowed");
                    else if (additional.ValueKind == JsonValueKind.Object)
                        CheckSchema(property.Value, additional, $"{where}.{property.Name}", violations);
                }
            }
        }
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new NotSupportedException($"schema type {type.ToString(CultureInfo.InvariantCulture)}"),
    };
}
