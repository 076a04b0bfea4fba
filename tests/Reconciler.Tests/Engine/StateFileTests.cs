using Reconciler.Diagnostics;
using Reconciler.Memory;
using Reconciler.Run;

namespace Reconciler.Tests.Engine;

/// <summary>The memory is a record you can trust: every entry checked, a damaged file kept aside and read as empty.</summary>
public sealed class StateFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-state-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string StatePath => Path.Combine(_folder, "state.json");

    private const string Good = """
        {"schemaVersion": 3, "hosts": {"api.example.test": {"observedSince": "2026-11-01T06:00:00Z", "proven": [{"from": "2026-11-01T06:00:00Z", "to": "2026-11-20T06:00:00Z"}],
          "ipv4": {"answers": 120, "smallest": 1, "largest": 2, "sinceNew": 60},
          "addresses": {"192.0.2.1": {"firstSeen": "2026-11-01T06:00:00Z", "lastSeen": "2026-11-20T06:00:00Z"}, "192.0.2.2": {"firstSeen": "2026-11-01T06:00:00Z", "lastSeen": "2026-11-10T06:00:00Z", "missed": 84}}}}}
        """;

    public static TheoryData<string, string, string> Damaged() => new()
    {
        { "truncated", Good[..(Good.Length / 2)], "the state file is damaged (" },
        { "empty", "", "the state file is damaged (" },
        { "another schema", Good.Replace("\"schemaVersion\": 3", "\"schemaVersion\": 7", StringComparison.Ordinal), "it is not state schema 3 (schemaVersion 7)" },
        { "no schema", "{\"hosts\": {}}", "it is not state schema 3 (schemaVersion missing)" },
        { "not an object", "[1, 2]", "the file is a list, not an object" },
        { "hosts is null", "{\"schemaVersion\": 3, \"hosts\": null}", "hosts is null, not an object" },
        { "a null host", "{\"schemaVersion\": 3, \"hosts\": {\"api.example.test\": null}}", "api.example.test is null, not an object" },
        { "a host without observedSince", Good.Replace("\"observedSince\": \"2026-11-01T06:00:00Z\", ", "", StringComparison.Ordinal), "api.example.test has no observedSince" },
        { "a host without proven", Good.Replace("\"proven\": [{\"from\": \"2026-11-01T06:00:00Z\", \"to\": \"2026-11-20T06:00:00Z\"}],", "", StringComparison.Ordinal), "api.example.test has no proven" },
        { "a null address", Good.Replace("{\"firstSeen\": \"2026-11-01T06:00:00Z\", \"lastSeen\": \"2026-11-20T06:00:00Z\"}", "null", StringComparison.Ordinal), "api.example.test.addresses.192.0.2.1 is null" },
        { "an address that is not one", Good.Replace("\"192.0.2.1\"", "\"192.0.2.300\"", StringComparison.Ordinal), "is not an address as Reconciler writes one" },
        { "last seen before first seen", Good.Replace("\"lastSeen\": \"2026-11-20T06:00:00Z\"", "\"lastSeen\": \"2026-10-01T06:00:00Z\"", StringComparison.Ordinal), "was last seen before it was first seen" },
        { "a negative count of answers missed", Good.Replace("\"missed\": 84", "\"missed\": -1", StringComparison.Ordinal), "api.example.test.addresses.192.0.2.2.missed is a number, not a whole number of at least 0" },
        { "answer sizes without a count", Good.Replace("\"answers\": 120, ", "", StringComparison.Ordinal), "api.example.test.ipv4 has no answers" },
        { "a largest answer smaller than the smallest", Good.Replace("\"largest\": 2", "\"largest\": 0", StringComparison.Ordinal), "api.example.test.ipv4.largest is a number, not a whole number of at least 1" },
        { "a time that is not one", Good.Replace("\"to\": \"2026-11-20T06:00:00Z\"", "\"to\": 17", StringComparison.Ordinal), "api.example.test.proven[0].to is a number, not a time" },
        { "a span backwards", Good.Replace("\"to\": \"2026-11-20T06:00:00Z\"", "\"to\": \"2026-10-20T06:00:00Z\"", StringComparison.Ordinal), "ends before it starts" },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public async Task A_damaged_state_file_is_moved_aside_reported_and_read_as_empty(string what, string text, string problem)
    {
        await File.WriteAllTextAsync(StatePath, text);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 6, 30, 0, TimeSpan.Zero));

        var read = await new LocalStateFile(StatePath, clock).LoadAsync(CancellationToken.None);

        Assert.True(read.Damaged, what);
        Assert.Empty(read.Memory.Hosts);
        Assert.Contains(problem, read.Problem, StringComparison.Ordinal);
        var aside = StatePath + ".corrupt-20261201T063000Z";
        Assert.EndsWith($"it was moved to {aside}", read.Problem, StringComparison.Ordinal);
        Assert.Equal(text, await File.ReadAllTextAsync(aside));
        Assert.False(File.Exists(StatePath));
    }

    [Fact]
    public async Task A_good_state_file_reads_whole_and_survives_a_round_trip()
    {
        await File.WriteAllTextAsync(StatePath, Good);
        var store = new LocalStateFile(StatePath, TimeProvider.System);

        var read = await store.LoadAsync(CancellationToken.None);
        await store.SaveAsync(read.Memory, read.Memory, TimeSpan.Zero, CancellationToken.None);

        Assert.Null(read.Problem);
        var host = read.Memory.Find("api.example.test")!;
        Assert.Equal(TimeSpan.FromDays(19), host.ProvenBetween(DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal(read.Memory.ToJson(), (await store.LoadAsync(CancellationToken.None)).Memory.ToJson());
    }

    [Fact]
    public async Task A_schema_3_file_keeps_its_counts_of_answers()
    {
        await File.WriteAllTextAsync(StatePath, Good);

        var host = (await new LocalStateFile(StatePath, TimeProvider.System).LoadAsync(CancellationToken.None)).Memory.Find("api.example.test")!;

        Assert.Equal(new AnswerSizes(120, 1, 2, 60), host.V4);
        Assert.Null(host.V6);
        Assert.Equal(84, host.Addresses["192.0.2.2"].Missed);
        Assert.Equal(0, host.Addresses["192.0.2.1"].Missed);
    }

    [Fact]
    public async Task A_schema_2_file_keeps_its_sightings_and_spans_and_counts_no_answers()
    {
        await File.WriteAllTextAsync(StatePath, """
            {"schemaVersion": 2, "hosts": {"api.example.test": {"observedSince": "2026-11-01T06:00:00Z", "proven": [{"from": "2026-11-01T06:00:00Z", "to": "2026-11-20T06:00:00Z"}],
              "addresses": {"192.0.2.1": {"firstSeen": "2026-11-01T06:00:00Z", "lastSeen": "2026-11-20T06:00:00Z"}}}}}
            """);

        var read = await new LocalStateFile(StatePath, TimeProvider.System).LoadAsync(CancellationToken.None);

        Assert.False(read.Damaged);
        Assert.StartsWith("the state file is schema 2", read.Problem, StringComparison.Ordinal);
        var host = read.Memory.Find("api.example.test")!;
        Assert.Equal(TimeSpan.FromDays(19), host.ProvenBetween(DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Null(host.V4);
        Assert.Equal(0, host.Addresses["192.0.2.1"].Missed);
    }

    [Fact]
    public async Task A_schema_1_file_keeps_its_sightings_and_no_proof()
    {
        await File.WriteAllTextAsync(StatePath, """{"schemaVersion": 1, "hosts": {"api.example.test": {"observedSince": "2026-11-01T06:00:00Z", "addresses": {"192.0.2.1": {"firstSeen": "2026-11-01T06:00:00Z", "lastSeen": "2026-11-20T06:00:00Z"}}}}}""");

        var read = await new LocalStateFile(StatePath, TimeProvider.System).LoadAsync(CancellationToken.None);

        Assert.False(read.Damaged);
        Assert.StartsWith("the state file is schema 1", read.Problem, StringComparison.Ordinal);
        var host = read.Memory.Find("api.example.test")!;
        Assert.Equal(new AddressMemory(new(2026, 11, 1, 6, 0, 0, TimeSpan.Zero), new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero)), host.Addresses["192.0.2.1"]);
        Assert.Empty(host.Proven);
    }

    [Fact]
    public async Task A_directory_is_not_a_state_file_and_stops_the_run_as_bad_arguments()
    {
        Directory.CreateDirectory(StatePath);

        var e = await Assert.ThrowsAsync<ReconcilerException>(() => new LocalStateFile(StatePath, TimeProvider.System).LoadAsync(CancellationToken.None));

        Assert.Equal(ExitCodes.InvalidInput, e.ExitCode);
        Assert.Contains("is a directory, not a state file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saving_joins_what_another_run_saved_meanwhile()
    {
        var store = new LocalStateFile(StatePath, TimeProvider.System);
        var loaded = (await store.LoadAsync(CancellationToken.None)).Memory;
        var a = loaded.Remember(DriftEngineTests.Observations(["a.example.test A Answer 192.0.2.1"]), DriftEngineTests.Now);
        var b = loaded.Remember(DriftEngineTests.Observations(["b.example.test A Answer 192.0.2.2"]), DriftEngineTests.Now);

        await store.SaveAsync(loaded, a, TimeSpan.Zero, CancellationToken.None);
        await store.SaveAsync(loaded, b, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(["a.example.test", "b.example.test"], (await store.LoadAsync(CancellationToken.None)).Memory.Hosts.Keys);
        Assert.Equal(["state.json", "state.json.lock"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_save_waits_for_the_lock_another_run_holds_and_gives_up_with_exit_3()
    {
        var store = new LocalStateFile(StatePath, TimeProvider.System, lockTimeout: TimeSpan.FromMilliseconds(300));
        using (new FileStream(store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var e = await Assert.ThrowsAsync<ReconcilerException>(() => store.SaveAsync(DriftMemory.Empty, DriftMemory.Empty, TimeSpan.Zero, CancellationToken.None));
            Assert.Equal(ExitCodes.RunFailed, e.ExitCode);
        }

        Assert.True(await store.SaveAsync(DriftMemory.Empty, DriftMemory.Empty, TimeSpan.Zero, CancellationToken.None));
    }
}
