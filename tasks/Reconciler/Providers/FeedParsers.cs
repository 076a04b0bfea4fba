using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Reconciler.Providers;

/// <summary>
/// Reads each provider's published feed into snapshot entries. Anything truncated or not of the feed's shape is a
/// <see cref="FormatException"/>: a feed that does not parse whole must never replace a good snapshot.
/// </summary>
public static class FeedParsers
{
    /// <summary>AWS ip-ranges.json: <c>prefixes[]</c> (ip_prefix) and <c>ipv6_prefixes[]</c> (ipv6_prefix), each with service and region.</summary>
    public static (FeedInfo Feed, List<ProviderPrefix> Prefixes) Aws(string json) => Parse(json, root =>
    {
        var prefixes = new List<ProviderPrefix>();
        foreach (var (array, field) in new[] { ("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix") })
        {
            foreach (var item in Required(root, array).EnumerateArray())
                prefixes.Add(new ProviderPrefix("aws", Text(item, "service"), Text(item, "region"), Network(Text(item, field))));
        }
        return (new FeedInfo("aws", Text(root, "createDate"), Text(root, "syncToken")), prefixes);
    });

    /// <summary>Cloudflare ips-v4 / ips-v6: one CIDR a line.</summary>
    public static (FeedInfo Feed, List<ProviderPrefix> Prefixes) Cloudflare(string v4, string v6, string date)
    {
        var lines = (v4 + "\n" + v6).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
            throw new FormatException("the Cloudflare lists are empty");
        return (new FeedInfo("cloudflare", date, "-"), [.. lines.Select(l => new ProviderPrefix("cloudflare", "-", "-", Network(l)))]);
    }

    /// <summary>GitHub meta: each array of CIDRs (hooks, web, api, git, actions…) is a service.</summary>
    public static (FeedInfo Feed, List<ProviderPrefix> Prefixes) GitHub(string json, string date) => Parse(json, root =>
    {
        var prefixes = new List<ProviderPrefix>();
        foreach (var property in root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array && p.Name != "ssh_keys"))
        {
            foreach (var item in property.Value.EnumerateArray())
                prefixes.Add(new ProviderPrefix("github", property.Name, "-", Network(item.GetString() ?? throw new FormatException($"a non-string in {property.Name}"))));
        }
        if (prefixes.Count == 0)
            throw new FormatException("GitHub meta lists no prefixes");
        return (new FeedInfo("github", date, "-"), prefixes);
    });

    /// <summary>Google Cloud cloud.json: <c>prefixes[]</c> with ipv4Prefix or ipv6Prefix, service and scope (the region).</summary>
    public static (FeedInfo Feed, List<ProviderPrefix> Prefixes) Google(string json) => Parse(json, root =>
    {
        var prefixes = new List<ProviderPrefix>();
        foreach (var item in Required(root, "prefixes").EnumerateArray())
        {
            var prefix = item.TryGetProperty("ipv4Prefix", out var v4) ? v4.GetString() : item.TryGetProperty("ipv6Prefix", out var v6) ? v6.GetString() : null;
            prefixes.Add(new ProviderPrefix("google", Text(item, "service"), Text(item, "scope"), Network(prefix ?? throw new FormatException("a prefix without ipv4Prefix or ipv6Prefix"))));
        }
        return (new FeedInfo("google", Text(root, "creationTime")[..10], Text(root, "syncToken")), prefixes);
    });

    private static (FeedInfo, List<ProviderPrefix>) Parse(string json, Func<JsonElement, (FeedInfo, List<ProviderPrefix>)> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var (feed, prefixes) = read(document.RootElement);
            return prefixes.Count > 0 ? (feed, prefixes) : throw new FormatException("the feed lists no prefixes");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new FormatException("not a feed of the expected shape: " + e.Message, e);
        }
    }

    private static JsonElement Required(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value : throw new FormatException($"no '{name}' array");

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } text ? text : throw new FormatException($"no '{name}'");

    private static IPNetwork Network(string text) =>
        IPNetwork.TryParse(text.Trim(), out var network) ? network : throw new FormatException($"'{text}' is not a CIDR");

    internal static string Today(DateTimeOffset now) => now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
