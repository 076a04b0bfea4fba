namespace Reconciler.Policies.Validation;

/// <summary>
/// <c>dns_cache_ttl</c> values: <c>forever</c> or a duration from 0s to ten years. Its own range, not that of
/// <c>stale_after</c>: runtimes cache for seconds (the JVM's default is 30s), and 0s means no cache at all.
/// </summary>
public static class DnsCacheTtls
{
    public const string Forever = "forever";

    public static readonly TimeSpan Longest = TimeSpan.FromDays(3653);

    /// <param name="duration">The lifetime, or null for forever.</param>
    public static bool TryParse(string text, out TimeSpan? duration, out string error)
    {
        duration = null;
        error = "";
        if (text.Trim() == Forever)
            return true;
        if (!Durations.TryParse(text, TimeSpan.Zero, TimeSpan.MaxValue, out var parsed, out _))
        {
            error = $"'dns_cache_ttl' must be a duration (e.g. 30s, 5m, 1h) or {Forever} (Java's -1), not '{text}'";
            return false;
        }
        if (parsed > Longest)
        {
            error = $"'dns_cache_ttl' of '{text}' is longer than ten years; write {Forever}";
            return false;
        }
        duration = parsed;
        return true;
    }
}
