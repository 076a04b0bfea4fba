namespace Reconciler.Observe;

/// <summary>What one probe of one address saw: the answer, or why there was none.</summary>
public sealed record ProbeResult(
    string Address,
    string UserAgent,
    int? Status,
    IReadOnlyDictionary<string, string> Headers,
    string BodyExcerpt,
    string? Failure,
    TimeSpan Elapsed)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}
