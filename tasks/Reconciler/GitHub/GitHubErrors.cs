using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Reconciler.GitHub;

/// <summary>The typed-exception table: one status (and its headers) to one exception, as Octokit.net does.</summary>
internal static class GitHubErrors
{
    public static GitHubApiException From(HttpStatusCode status, HttpResponseHeaders headers, string request, string body, DateTimeOffset now)
    {
        var (message, details) = Read(body);
        if (headers.TryGetValues("sl-violations", out var violations))
            details = string.Join("; ", [details, .. violations]).Trim(' ', ';'); // Prism's validating mock says why here
        var retryAfter = headers.RetryAfter?.Delta ?? (headers.RetryAfter?.Date is { } date ? date - now : null);
        var remaining = Header(headers, "x-ratelimit-remaining");
        var reset = Header(headers, "x-ratelimit-reset") is { } seconds && long.TryParse(seconds, CultureInfo.InvariantCulture, out var epoch)
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : (DateTimeOffset?)null;
        var secondary = retryAfter is not null || message.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase);
        return status switch
        {
            HttpStatusCode.Unauthorized => new GitHubAuthorizationException(status, request, message),
            HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests when secondary => new GitHubRateLimitException(status, request, message, true, retryAfter, reset),
            HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests when remaining == "0" => new GitHubRateLimitException(status, request, message, false, null, reset),
            HttpStatusCode.TooManyRequests => new GitHubRateLimitException(status, request, message, true, null, reset),
            HttpStatusCode.Forbidden => new GitHubForbiddenException(status, request, message),
            HttpStatusCode.NotFound => new GitHubNotFoundException(status, request, message),
            HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict => new GitHubValidationException(status, request, message, details),
            >= HttpStatusCode.InternalServerError => new GitHubServerException(status, request, message),
            _ => new GitHubApiException(status, request, message),
        };
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>GitHub's error body: <c>{"message": …, "errors": [{"resource","field","code","message"}]}</c>; anything else is cut short.</summary>
    private static (string Message, string Details) Read(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "no message";
            var details = root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                ? string.Join("; ", errors.EnumerateArray().Select(Describe))
                : "";
            return (message, details);
        }
        catch (JsonException)
        {
            var text = body.ReplaceLineEndings(" ").Trim();
            return (text.Length == 0 ? "no message" : text.Length > 200 ? text[..200] + "…" : text, "");
        }
    }

    private static readonly string[] ErrorFields = ["resource", "field", "code", "message"];

    private static string Describe(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => error.GetString()!,
        JsonValueKind.Object => string.Join(" ", ErrorFields.Select(k => error.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? $"{k}={v.GetString()}" : null)
            .OfType<string>()),
        _ => error.ToString(),
    };
}
