using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Reconciler.Providers;

/// <summary>
/// What the feeds' parsers share. Anything truncated or not of the feed's shape is a <see cref="FormatException"/>:
/// a feed that does not parse whole must never replace a good snapshot.
/// </summary>
public static class FeedParsers
{
    /// <summary>A JSON feed read whole; one that lists no prefixes is not a feed.</summary>
    public static (FeedInfo, List<ProviderPrefix>) Json(string json, Func<JsonElement, (FeedInfo, List<ProviderPrefix>)> read)
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

    public static JsonElement Required(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value : throw new FormatException($"no '{name}' array");

    public static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } text ? text : throw new FormatException($"no '{name}'");

    public static IPNetwork Network(string text) =>
        IPNetwork.TryParse(text.Trim(), out var network) ? network : throw new FormatException($"'{text}' is not a CIDR");

    internal static string Today(DateTimeOffset now) => now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
