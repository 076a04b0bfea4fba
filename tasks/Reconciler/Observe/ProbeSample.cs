namespace Reconciler.Observe;

/// <summary>
/// One probe of one address, as the metrics tell it (blackbox exporter's shape): how long it took, what it
/// answered, and whether that was an accepted answer.
/// </summary>
/// <param name="Up">Answered with an accepted status, and not refused by a WAF.</param>
public sealed record ProbeSample(string Dependency, Uri Url, string Address, int? Status, bool Up, string? Failure, TimeSpan Elapsed);
