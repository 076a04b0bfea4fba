using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Reconciler.Files;

namespace Reconciler.Memory;

/// <summary>What reading a state file gave: the memory, and why it is empty or partial when it is.</summary>
/// <param name="Damaged">The text was there but is not a whole state file: keep a copy of it before it is overwritten.</param>
public sealed record StateRead(DriftMemory Memory, string? Problem, bool Damaged);

/// <summary>
/// The state file (<c>state.json</c>): schema 3, every entry checked on read. A file that does not read as a whole
/// (truncated, another schema, nulls, missing or malformed fields) is damaged and read as empty, because an empty
/// memory removes nothing while a half-read one could. Schema 1 files (before spans of proof) are read with no
/// spans: their sightings are kept and no removal is proposed until stale_after of proof has gathered. Schema 2
/// files (before answers were counted) are read with no counts: a rotating pool's removals wait until its answers
/// since each sighting are counted afresh, and a pool's sizes are learnt from the next run.
/// </summary>
public static class DriftMemoryJson
{
    public const int SchemaVersion = 3;

    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>Bytes a writer may hold before they go to the file (the stream's own buffer is 64 KiB).</summary>
    private const int FlushAt = 32 * 1024;

    public static string Write(DriftMemory memory)
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer, memory);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static void WriteTo(Stream stream, DriftMemory memory)
    {
        using (var json = new Utf8JsonWriter(stream, Indented))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", SchemaVersion);
            json.WriteStartObject("hosts");
            foreach (var (name, host) in memory.Hosts)
            {
                json.WriteStartObject(name);
                json.WriteString("observedSince", host.ObservedSince);
                if (host.LastFailed is { } failed)
                    json.WriteString("lastFailed", failed);
                json.WriteStartArray("proven");
                foreach (var span in host.Proven)
                {
                    json.WriteStartObject();
                    json.WriteString("from", span.From);
                    json.WriteString("to", span.To);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                WriteSizes(json, "ipv4", host.V4);
                WriteSizes(json, "ipv6", host.V6);
                json.WriteStartObject("addresses");
                foreach (var (address, seen) in host.Addresses)
                {
                    json.WriteStartObject(address);
                    json.WriteString("firstSeen", seen.FirstSeen);
                    json.WriteString("lastSeen", seen.LastSeen);
                    if (seen.Missed > 0)
                        json.WriteNumber("missed", seen.Missed);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
                json.WriteEndObject();
                // A writer keeps all it has not flushed: 10,000 dependencies make a state of tens of megabytes.
                if (json.BytesPending > FlushAt)
                    json.Flush();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }

    private static void WriteSizes(Utf8JsonWriter json, string family, AnswerSizes? sizes)
    {
        if (sizes is null)
            return;
        json.WriteStartObject(family);
        json.WriteNumber("answers", sizes.Answers);
        json.WriteNumber("smallest", sizes.Smallest);
        json.WriteNumber("largest", sizes.Largest);
        json.WriteNumber("sinceNew", sizes.SinceNew);
        json.WriteEndObject();
    }

    /// <summary>Where a damaged state file is kept: beside it, named for when it was found (UTC).</summary>
    public static string DamagedCopyName(string path, DateTimeOffset foundAt) =>
        $"{path}.corrupt-{foundAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";

    private static readonly JsonDocumentOptions Parsing = new() { MaxDepth = 16 };

    /// <summary>The memory in a state file's text (null: there is none yet). Never throws.</summary>
    public static StateRead Read(string? text) =>
        text is null ? NoStateYet : Read(() => JsonDocument.Parse(text, Parsing));

    /// <summary>The memory in a state file's bytes (null: there is none yet), read as <see cref="Read(string)"/> reads its text (see <see cref="Utf8Files"/>).</summary>
    public static StateRead ReadUtf8(ReadOnlyMemory<byte>? file)
    {
        if (file is not { } bytes)
            return NoStateYet;
        if (!Utf8Files.TryPlain(bytes, out var utf8))
            return Read(Utf8Files.Decode(bytes));
        return Read(() => JsonDocument.Parse(utf8, Parsing));
    }

    private static StateRead NoStateYet { get; } = new(DriftMemory.Empty, "no state yet: this run starts the memory of addresses (nothing is proposed for removal before stale_after of successful lookups)", false);

    private static StateRead Read(Func<JsonDocument> parse)
    {
        try
        {
            using var document = parse();
            var root = Object(document.RootElement, "the file");
            var version = root.TryGetProperty("schemaVersion", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : (int?)null;
            if (version is not (1 or 2 or SchemaVersion))
                throw new FormatException($"it is not state schema {SchemaVersion} (schemaVersion {(version is { } got ? got.ToString(CultureInfo.InvariantCulture) : "missing")})");
            var hosts = ImmutableSortedDictionary.CreateBuilder<string, HostMemory>(StringComparer.Ordinal);
            foreach (var host in Object(Required(root, "hosts", "the file"), "hosts").EnumerateObject())
            {
                var name = host.Name.ToLowerInvariant();
                if (name.Length == 0 || name.Any(char.IsControl) || hosts.ContainsKey(name))
                    throw new FormatException($"hosts has an empty, repeated or unprintable host name");
                hosts[name] = ReadHost(Object(host.Value, name), name, version.Value);
            }
            var note = version switch
            {
                1 => "the state file is schema 1, from before spans of successful lookups were kept: its sightings are kept, and removals wait until stale_after of successful lookups has gathered",
                2 => "the state file is schema 2, from before answers were counted: its sightings and spans are kept, and removals from a rotating pool wait until enough answers are counted",
                _ => null,
            };
            return new StateRead(new DriftMemory(hosts.ToImmutable()), note, false);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return new StateRead(DriftMemory.Empty, $"the state file is damaged ({e.Message}); this run starts an empty memory, which proposes no removal", true);
        }
    }

    private static HostMemory ReadHost(JsonElement host, string name, int version)
    {
        var schema1 = version == 1;
        var observedSince = Time(Required(host, "observedSince", name), $"{name}.observedSince");
        DateTimeOffset? lastFailed = host.TryGetProperty("lastFailed", out var f) ? Time(f, $"{name}.lastFailed") : null;
        var proven = ImmutableArray.CreateBuilder<ProvenSpan>();
        if (!schema1)
        {
            var spans = Required(host, "proven", name);
            if (spans.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{name}.proven is not a list");
            foreach (var span in spans.EnumerateArray())
            {
                var at = $"{name}.proven[{proven.Count}]";
                var from = Time(Required(Object(span, at), "from", at), at + ".from");
                var to = Time(Required(span, "to", at), at + ".to");
                if (to < from || (proven.Count > 0 && from < proven[^1].To))
                    throw new FormatException($"{at} ends before it starts, or overlaps the span before it");
                proven.Add(new ProvenSpan(from, to));
            }
        }
        var addresses = ImmutableSortedDictionary.CreateBuilder<string, AddressMemory>(StringComparer.Ordinal);
        foreach (var address in Object(Required(host, "addresses", name), $"{name}.addresses").EnumerateObject())
        {
            var at = $"{name}.addresses.{address.Name}";
            if (!IPAddress.TryParse(address.Name, out var parsed) || parsed.ToString() != address.Name)
                throw new FormatException($"{at} is not an address as Reconciler writes one");
            var seen = Object(address.Value, at);
            var first = Time(Required(seen, "firstSeen", at), at + ".firstSeen");
            var last = Time(Required(seen, "lastSeen", at), at + ".lastSeen");
            if (last < first)
                throw new FormatException($"{at} was last seen before it was first seen");
            var missed = seen.TryGetProperty("missed", out var m) ? Count(m, at + ".missed", 0) : 0;
            addresses[address.Name] = new AddressMemory(first, last, missed);
        }
        return new HostMemory(observedSince, addresses.ToImmutable(), proven.ToImmutable(), lastFailed, Sizes(host, "ipv4", name), Sizes(host, "ipv6", name));
    }

    private static AnswerSizes? Sizes(JsonElement host, string family, string name)
    {
        if (!host.TryGetProperty(family, out var sizes))
            return null;
        var at = $"{name}.{family}";
        var answers = Count(Required(Object(sizes, at), "answers", at), at + ".answers", 1);
        var smallest = Count(Required(sizes, "smallest", at), at + ".smallest", 1);
        var largest = Count(Required(sizes, "largest", at), at + ".largest", smallest);
        var sinceNew = Count(Required(sizes, "sinceNew", at), at + ".sinceNew", 0);
        return new AnswerSizes(answers, smallest, largest, sinceNew);
    }

    private static int Count(JsonElement element, string what, int least) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var n) && n >= least
            ? n
            : throw new FormatException($"{what} is {Describe(element)}, not a whole number of at least {least}");

    private static JsonElement Object(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new FormatException($"{what} is {Describe(element)}, not an object");

    private static JsonElement Required(JsonElement element, string key, string what) =>
        element.TryGetProperty(key, out var value) ? value : throw new FormatException($"{what} has no {key}");

    private static DateTimeOffset Time(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new FormatException($"{what} is {Describe(element)}, not a time");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };
}
