using System.Globalization;

namespace Reconciler.Memory;

/// <summary>What a memory held dated after the run's clock: sightings and spans, and the latest such date.</summary>
public sealed record FutureDated(int Sightings, int Spans, DateTimeOffset? Latest)
{
    public static FutureDated None { get; } = new(0, 0, null);

    public bool IsNone => Latest is null;

    public FutureDated And(FutureDated other) => new(Sightings + other.Sightings, Spans + other.Spans,
        Latest is { } a && other.Latest is { } b ? (a > b ? a : b) : Latest ?? other.Latest);

    /// <summary>The run's note, or null when nothing was dated after now.</summary>
    public string? Describe(DateTimeOffset now) => Latest is not { } latest ? null
        : $"the memory held {Sightings} sighting(s) and {Spans} span(s) of lookups dated after this run's clock ({now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}), the latest at "
          + $"{latest.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}: a run with a wrong clock (--now) wrote them. They were clipped to now: the addresses count as seen now, and proof gathers again from here";
}
