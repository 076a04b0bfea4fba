using System.Net.Http.Headers;
using System.Text;

namespace Reconciler.Reports;

/// <summary>
/// Where <c>--influx</c> posts <c>metrics.influx</c>: an InfluxDB 1.x <c>/write?db=…</c> URL (also 2.x's 1.x-compatible
/// API) or a 2.x <c>/api/v2/write?org=…&amp;bucket=…</c> URL. The credentials come from <c>INFLUX_TOKEN</c> only, never
/// from the URL (a URL is printed, and lands in CI logs and process lists).
/// </summary>
public sealed record InfluxEndpoint(Uri Url, bool V2)
{
    private static readonly string[] CredentialParameters = ["u", "p", "token"];

    public static bool TryParse(string text, out InfluxEndpoint? endpoint, out string error)
    {
        endpoint = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
        {
            error = $"'{text}' is not an http:// or https:// URL";
            return false;
        }
        var shown = $"{url.Scheme}://{url.Authority}{url.AbsolutePath}";
        if (url.UserInfo.Length > 0 || Query(url).Any(p => CredentialParameters.Contains(p.Key, StringComparer.OrdinalIgnoreCase)))
        {
            error = $"{shown}: put the credentials in INFLUX_TOKEN (a token, or user:password for InfluxDB 1.x), not in the URL";
            return false;
        }
        var parameters = Query(url).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var path = url.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/api/v2/write", StringComparison.Ordinal))
        {
            if (!parameters.ContainsKey("bucket") || !(parameters.ContainsKey("org") || parameters.ContainsKey("orgID")))
            {
                error = $"{shown}: an InfluxDB 2.x write URL names its org and bucket: /api/v2/write?org=ORG&bucket=BUCKET";
                return false;
            }
            endpoint = new InfluxEndpoint(url, V2: true);
        }
        else if (path.EndsWith("/write", StringComparison.Ordinal))
        {
            if (!parameters.TryGetValue("db", out var db) || db.Length == 0)
            {
                error = $"{shown}: an InfluxDB 1.x write URL names its database: /write?db=DATABASE";
                return false;
            }
            endpoint = new InfluxEndpoint(url, V2: false);
        }
        else
        {
            error = $"{shown}: not an InfluxDB write URL; use http://HOST:8086/write?db=DATABASE (1.x) or http://HOST:8086/api/v2/write?org=ORG&bucket=BUCKET (2.x)";
            return false;
        }
        error = "";
        return true;
    }

    public override string ToString() => Url.ToString();

    /// <summary>
    /// Posts the lines. A 2.x URL (and a 1.x one given a bare token, as 2.x's 1.x-compatible API takes it) gets
    /// <c>Authorization: Token …</c>; a 1.x URL given <c>user:password</c> gets Basic authentication, which every 1.x reads.
    /// </summary>
    /// <returns>Null when InfluxDB took them; otherwise why not, in words that never hold the token.</returns>
    public async Task<string?> PostAsync(HttpClient http, string lines, string? token, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent(lines, new UTF8Encoding(false), "text/plain") };
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = !V2 && token.Contains(':', StringComparison.Ordinal)
                ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(token)))
                : new AuthenticationHeaderValue("Token", token);
        }
        string? failure;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
                return null;
            var body = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
            failure = $"InfluxDB answered {(int)response.StatusCode} {response.ReasonPhrase}{(body.Length == 0 ? "" : ": " + (body.Length > 300 ? body[..300] + "…" : body))}";
        }
        catch (HttpRequestException e)
        {
            failure = e.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failure = $"no answer within {http.Timeout.TotalSeconds:0} s";
        }
        return string.IsNullOrEmpty(token) ? failure : failure.Replace(token, "***", StringComparison.Ordinal);
    }

    private static IEnumerable<KeyValuePair<string, string>> Query(Uri url) =>
        url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1]) : ""));
}
