using Reconciler.Diagnostics;

namespace Reconciler.Policies.Model;

/// <summary>
/// How long an identity's runtime keeps a DNS answer (<c>dns_cache_ttl</c>): a duration, or forever (a JVM with a
/// security manager, or <c>networkaddress.cache.ttl=-1</c>). <see cref="Text"/> is what the policy says, for messages.
/// </summary>
public sealed record DnsCacheTtl(string Text, TimeSpan? Duration, SourceLocation Location)
{
    public bool Forever => Duration is null;

    /// <summary>Whether an answer kept this long is still used after a record of <paramref name="ttl"/> has expired.</summary>
    public bool Outlives(TimeSpan ttl) => Duration is not { } kept || kept > ttl;
}
