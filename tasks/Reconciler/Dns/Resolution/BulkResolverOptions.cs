using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Resolution;

/// <summary>How hard a run may lean on each server: a run must never flood a resolver it shares with production.</summary>
public sealed record BulkResolverOptions
{
    public static BulkResolverOptions Default { get; } = new();

    public IReadOnlyList<RecordType> Types { get; init; } = [RecordType.A, RecordType.AAAA];
    /// <summary>Times each host is asked per server per run, to see more of a rotating pool.</summary>
    public int Samples { get; init; } = 1;
    /// <summary>Host lookups in flight at one server at once.</summary>
    public int MaxInFlightPerServer { get; init; } = 64;
    /// <summary>Host lookups started per second at one server; null for no limit (local test servers only).</summary>
    public double? LookupsPerSecondPerServer { get; init; } = 500;
}
