using System.Text.Json.Serialization;
using System.Text.Json;
using Reconciler.Dns.Resolution;
using Reconciler.Files;

namespace Reconciler.Observe;

/// <summary>What one server said about one host and record type in one sample: the unit the drift engine reads.</summary>
public sealed record Observation(
    string Host,
    string Type,
    string Server,
    DnsOutcome Outcome,
    IReadOnlyList<string> Chain,
    IReadOnlyList<ObservedAddress> Addresses,
    DateTimeOffset At,
    double ElapsedMs,
    string? Error = null)
{
    /// <summary>NOERROR, with or without records: the server knows the name. Anything else freezes the host.</summary>
    [JsonIgnore]
    public bool Succeeded => Outcome is DnsOutcome.Answer or DnsOutcome.NoData;

    public static Observation From(HostLookup lookup) => new(
        lookup.Host,
        lookup.Type.ToString(),
        lookup.Server.ToString(),
        lookup.Outcome,
        [.. lookup.Chain.Select(c => c.Target.ToString())],
        [.. lookup.Addresses.Select(a => new ObservedAddress(a.Address.ToString(), a.Ttl))],
        lookup.At,
        Math.Round(lookup.Elapsed.TotalMilliseconds, 3),
        lookup.Error);
}

public sealed record ObservedAddress(string Address, uint Ttl);

/// <summary>
/// Every observation of a run: <c>--out/observations.json</c>, and what <c>--observations=FILE</c> replays
/// instead of asking the network, so that a run can be reproduced exactly (with <c>--now</c>).
/// </summary>
public sealed record ObservationSet(DateTimeOffset At, IReadOnlyList<string> Servers, IReadOnlyList<Observation> Observations)
{
    public const int SchemaVersion = 1;

    public static ObservationSet Empty(DateTimeOffset at) => new(at, [], []);

    private static JsonSerializerOptions Json => Files.WireJson.Compact;

    private sealed record Wire(int SchemaVersion, DateTimeOffset At, IReadOnlyList<string> Servers, IReadOnlyList<Observation> Observations);

    public string ToJson() => JsonSerializer.Serialize(new Wire(SchemaVersion, At, Servers, Observations), Json) + "\n";

    public void WriteTo(Stream stream)
    {
        JsonSerializer.Serialize(stream, new Wire(SchemaVersion, At, Servers, Observations), Json);
        stream.WriteByte((byte)'\n');
    }

    /// <exception cref="FormatException">The file is not an observations file of this version.</exception>
    public static ObservationSet FromJson(string json)
    {
        try
        {
            return Checked(JsonSerializer.Deserialize<Wire>(json, Json));
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>A file's bytes, read as <see cref="FromJson(string)"/> reads its text (see <see cref="Utf8Files"/>).</summary>
    /// <exception cref="FormatException">The file is not an observations file of this version.</exception>
    public static ObservationSet FromJson(byte[] file)
    {
        if (!Utf8Files.TryPlain(file, out var utf8))
            return FromJson(Utf8Files.Decode(file));
        try
        {
            return Checked(JsonSerializer.Deserialize<Wire>(utf8.Span, Json));
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static ObservationSet Checked(Wire? wire)
    {
        if (wire is null)
            throw new FormatException("the file is empty");
        if (wire.SchemaVersion != SchemaVersion)
            throw new FormatException($"schemaVersion {wire.SchemaVersion} is not {SchemaVersion}");
        return new ObservationSet(wire.At, wire.Servers ?? [], wire.Observations ?? []);
    }
}
