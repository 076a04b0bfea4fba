using System.Text.Json.Nodes;
using NJsonSchema;
using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Tests.Support;
using Reconciler.Yaml;

namespace Reconciler.Tests.Policies;

/// <summary>The editor's schema and Reconciler's validator must agree on what a policy file is.</summary>
public sealed class PolicySchemaTests
{
    private static readonly string SchemaPath = Path.Combine(RepoPaths.Policies, "policy.schema.json");
    private static readonly JsonSchema Schema = JsonSchema.FromFileAsync(SchemaPath).GetAwaiter().GetResult();
    private static readonly JsonNode SchemaJson = JsonNode.Parse(File.ReadAllText(SchemaPath))!;

    public static TheoryData<string> ExamplePolicies() =>
        [.. Directory.GetFiles(RepoPaths.Policies, "*.yaml").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(ExamplePolicies))]
    public void Every_example_policy_is_valid_under_the_schema_and_names_it(string file)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Policies, file));

        var errors = Schema.Validate(ToJson(text));

        Assert.Empty(errors.Select(e => $"{e.Path}: {e.Kind}"));
        Assert.StartsWith("# yaml-language-server: $schema=policy.schema.json", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("07-unknown-top-level-key.yaml")]
    [InlineData("08-unknown-dependency-key.yaml")]
    [InlineData("10-empty-hosts.yaml")]
    [InlineData("11-hosts-not-a-list.yaml")]
    [InlineData("12-name-not-lower-case.yaml")]
    [InlineData("21-port-out-of-range.yaml")]
    [InlineData("22-port-not-a-number.yaml")]
    [InlineData("23-bad-duration.yaml")]
    [InlineData("24-track-provider-without-provider.yaml")]
    [InlineData("25-unknown-provider.yaml")]
    [InlineData("29-unknown-track.yaml")]
    [InlineData("34-iptables-rule-with-domains.yaml")]
    [InlineData("38-pinned-not-a-boolean.yaml")]
    [InlineData("40-ignore-unknown-kind.yaml")]
    [InlineData("41-allowlist-without-kind.yaml")]
    [InlineData("42-samples-zero.yaml")]
    [InlineData("44-ignore-that-silences-everything.yaml")]
    [InlineData("64-ignore-a-kind-that-cannot-be-silenced.yaml")]
    [InlineData("47-dns-cache-ttl-as-java-writes-it.yaml")]
    public void What_the_validator_refuses_for_its_shape_the_schema_refuses_too(string corpusFile)
    {
        var errors = Schema.Validate(ToJson(File.ReadAllText(RepoPaths.Corpus("Invalid", corpusFile))));

        Assert.NotEmpty(errors);
    }

    [Fact]
    public void The_schema_lists_the_same_words_as_the_code()
    {
        var definitions = SchemaJson["definitions"]!;
        // Only the kinds an ignore may silence (FindingKindFacts says which and why the others may not).
        Assert.Equal(FindingKindFacts.SilenceableWireNames, Enum(definitions["ignore"]!["properties"]!["kind"]!));
        Assert.Equal(ProviderCatalog.Providers.Keys.Order(), Enum(definitions["dependency"]!["properties"]!["provider"]!["properties"]!["name"]!).Order());
        Assert.Equal(ProviderCatalog.Providers.Keys.Order(), Enum(definitions["prefixSet"]!["properties"]!["provider"]!["properties"]!["name"]!).Order());
        // The kinds the schema forbids both url: and domains: on are those with neither (AllowlistKinds says which).
        var neither = definitions["allowlist"]!["anyOf"]![0]!["not"]!["properties"]!["kind"]!;
        Assert.Equal(AllowlistKinds.All.Where(k => !k.HasProxyUrl && !k.AdmitsDomains).Select(k => k.Name).Order(), Enum(neither).Order());
        Assert.Equal(System.Enum.GetNames<TrackMode>().Select(n => n.ToLowerInvariant()), Enum(definitions["dependency"]!["properties"]!["track"]!));
        Assert.Equal(AllowlistKinds.All.Select(k => k.Name), Enum(definitions["allowlist"]!["properties"]!["kind"]!));
    }

    private static IEnumerable<string> Enum(JsonNode node) => node["enum"]!.AsArray().Select(v => v!.GetValue<string>());

    /// <summary>YAML to JSON with YAML 1.2 core-schema typing of plain scalars, as editors do.</summary>
    private static string ToJson(string yaml)
    {
        var tree = YamlTreeReader.Read(yaml, "x.yaml");
        return tree.Root is null ? "{}" : (Convert(tree.Root)?.ToJsonString() ?? "null");
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlScalar { IsNull: true } => null,
        YamlScalar { IsPlain: true, Value: "true" or "false" } s => JsonValue.Create(s.Value == "true"),
        YamlScalar { IsPlain: true } s when long.TryParse(s.Value, out var n) => JsonValue.Create(n),
        YamlScalar s => JsonValue.Create(s.Value),
        YamlSequence seq => new JsonArray([.. seq.Items.Select(Convert)]),
        YamlMapping map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key.Value, Convert(e.Value)))),
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };
}
