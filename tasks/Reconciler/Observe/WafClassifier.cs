namespace Reconciler.Observe;

/// <summary>
/// Tells a WAF's refusal from an application's answer, by the signatures WAFs leave: Cloudflare (server
/// cloudflare, cf-ray, "error code: 1020"), Akamai (AkamaiGHost, "Reference #"), AWS WAF and CloudFront
/// (server CloudFront, x-amz-cf-id), and otherwise a bare 403 or 429.
/// </summary>
public static class WafClassifier
{
    /// <summary>The WAF that refused the request, or null when the answer is not a WAF's refusal.</summary>
    public static string? BlockedBy(ProbeResult result, IReadOnlyCollection<int> expected)
    {
        if (result.Status is not { } status)
            return null;
        var server = result.Header("server") ?? "";
        var body = result.BodyExcerpt;
        var refused = status is 403 or 429 or 503 or 406;
        if (refused && (server.Contains("cloudflare", StringComparison.OrdinalIgnoreCase) || result.Header("cf-ray") is not null
            || body.Contains("error code: 10", StringComparison.OrdinalIgnoreCase) || body.Contains("Error 10", StringComparison.Ordinal)))
            return "Cloudflare";
        if (refused && (server.Contains("AkamaiGHost", StringComparison.OrdinalIgnoreCase) || body.Contains("Reference #", StringComparison.Ordinal)))
            return "Akamai";
        if (refused && (server.Contains("CloudFront", StringComparison.OrdinalIgnoreCase) || result.Header("x-amz-cf-id") is not null || server.Contains("awselb", StringComparison.OrdinalIgnoreCase)))
            return "AWS WAF";
        // A bare 403 or 429 that the dependency does not normally answer is a refusal of someone's.
        return status is 403 or 429 && !expected.Contains(status) ? "a WAF or rate limit" : null;
    }
}
