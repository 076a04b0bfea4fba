using Reconciler.Memory;
using Reconciler.Observe;
using System.Text;

namespace Reconciler.Tests.Engine;

/// <summary>
/// Observations and state files are parsed from their bytes, not from a string: for every encoding and every damage
/// a file can have, reading the bytes must mean exactly what reading the file as text meant.
/// </summary>
public sealed class LargeFileReadingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-reading-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string Observations = DriftEngineTests.Observations(["api.example.test A Answer 192.0.2.1,192.0.2.2", "api.example.test AAAA NoData"]).ToJson();

    private static readonly string State = DriftEngineTests.Daily(DriftEngineTests.Observations(["api.example.test A Answer 192.0.2.1,192.0.2.2"]), days: 3).ToJson();

    /// <summary>The same text as files of every encoding a reader detects, damaged in the ways files are.</summary>
    public static TheoryData<string, string> Files() => new()
    {
        { "UTF-8", "plain" },
        { "UTF-8 with a byte order mark", "plain" },
        { "UTF-16 little-endian with a byte order mark", "plain" },
        { "UTF-16 big-endian with a byte order mark", "plain" },
        { "UTF-32 big-endian with a byte order mark", "plain" },
        { "UTF-8", "a byte that is not UTF-8 inside a name" },
        { "UTF-8 with a byte order mark", "a byte that is not UTF-8 inside a name" },
        { "UTF-8", "cut off half way" },
        { "UTF-8", "empty" },
        { "UTF-8", "null" },
        { "UTF-8", "two byte order marks" },
    };

    private string Write(string encoding, string damage, string text)
    {
        text = damage switch
        {
            "cut off half way" => text[..(text.Length / 2)],
            "empty" => "",
            "null" => "null",
            "two byte order marks" => "\uFEFF" + text,
            _ => text,
        };
        var bytes = encoding switch
        {
            "UTF-8" => Encoding.UTF8.GetBytes(text),
            "UTF-8 with a byte order mark" => [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(text)],
            "UTF-16 little-endian with a byte order mark" => [.. Encoding.Unicode.Preamble, .. Encoding.Unicode.GetBytes(text)],
            "UTF-16 big-endian with a byte order mark" => [.. Encoding.BigEndianUnicode.Preamble, .. Encoding.BigEndianUnicode.GetBytes(text)],
            "UTF-32 big-endian with a byte order mark" => [.. new UTF32Encoding(bigEndian: true, byteOrderMark: true).Preamble, .. new UTF32Encoding(bigEndian: true, byteOrderMark: true).GetBytes(text)],
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
        if (damage == "a byte that is not UTF-8 inside a name")
            bytes[bytes.AsSpan().IndexOf("api.example.test"u8)] = 0xFF;
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Outcome(Func<ObservationSet> read)
    {
        try
        {
            return read().ToJson();
        }
        catch (FormatException e)
        {
            return "FormatException: " + e.Message;
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Observations_read_from_bytes_as_from_their_text(string encoding, string damage)
    {
        var path = Write(encoding, damage, Observations);

        var fromText = Outcome(() => ObservationSet.FromJson(File.ReadAllText(path)));
        var fromBytes = Outcome(() => ObservationSet.FromJson(File.ReadAllBytes(path)));

        Assert.Equal(fromText, fromBytes);
        if (damage == "plain")
            Assert.Equal(Observations, fromBytes);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_state_reads_from_bytes_as_from_its_text(string encoding, string damage)
    {
        var path = Write(encoding, damage, State);

        var fromText = DriftMemoryJson.Read(File.ReadAllText(path));
        var fromBytes = DriftMemoryJson.ReadUtf8(File.ReadAllBytes(path));

        Assert.Equal((fromText.Memory.ToJson(), fromText.Problem, fromText.Damaged), (fromBytes.Memory.ToJson(), fromBytes.Problem, fromBytes.Damaged));
        if (damage == "plain")
            Assert.Equal(State, fromBytes.Memory.ToJson());
    }

    [Fact]
    public void No_state_file_is_no_state_yet_either_way() =>
        Assert.Equal(DriftMemoryJson.Read(null), DriftMemoryJson.ReadUtf8(null));
}
