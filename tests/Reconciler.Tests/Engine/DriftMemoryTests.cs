using Reconciler.Memory;
using Reconciler.Observe;

namespace Reconciler.Tests.Engine;

public sealed class DriftMemoryTests
{
    [Fact]
    public void Memory_keeps_first_and_last_seen_and_ignores_failures()
    {
        var t0 = DriftEngineTests.Now;
        var memory = DriftMemory.Empty
            .Remember(DriftEngineTests.Observations(["API.example.test A Answer 192.0.2.1"]), t0)
            .Remember(DriftEngineTests.Observations(["api.example.test A Answer 192.0.2.1,192.0.2.2", "gone.example.test A NxDomain"]), t0.AddHours(6));

        var host = memory.Find("api.example.test")!;
        Assert.Equal(t0, host.ObservedSince);
        Assert.Equal(new AddressMemory(t0, t0.AddHours(6)), host.Addresses["192.0.2.1"]);
        Assert.Equal(new AddressMemory(t0.AddHours(6), t0.AddHours(6)), host.Addresses["192.0.2.2"]);
        Assert.Null(memory.Find("gone.example.test"));
    }

    private static ObservationSet Seen(string line) => DriftEngineTests.Observations([line]);

    [Fact]
    public void Successful_runs_close_together_make_one_span_of_proof()
    {
        var t0 = DriftEngineTests.Now;
        var memory = DriftMemory.Empty;
        for (var hours = 0; hours <= 72; hours += 12)
            memory = memory.Remember(Seen("api.example.test A Answer 192.0.2.1"), t0.AddHours(hours), TimeSpan.FromDays(4));

        Assert.Equal([new ProvenSpan(t0, t0.AddDays(3))], memory.Find("api.example.test")!.Proven.ToArray());
    }

    [Fact]
    public void A_failure_or_a_gap_longer_than_a_runs_reach_starts_a_new_span()
    {
        var t0 = DriftEngineTests.Now;
        var staleAfter = TimeSpan.FromDays(4); // a run reaches one day
        var memory = DriftMemory.Empty
            .Remember(Seen("api.example.test A Answer 192.0.2.1"), t0, staleAfter)
            .Remember(Seen("api.example.test A Answer 192.0.2.1"), t0.AddHours(12), staleAfter)
            .Remember(Seen("api.example.test A ServFail"), t0.AddHours(18), staleAfter)
            .Remember(Seen("api.example.test A Answer 192.0.2.1"), t0.AddHours(24), staleAfter)
            .Remember(Seen("api.example.test A Answer 192.0.2.1"), t0.AddHours(36), staleAfter)
            .Remember(Seen("api.example.test A Answer 192.0.2.1"), t0.AddHours(36 + 25), staleAfter);

        var host = memory.Find("api.example.test")!;
        Assert.Equal([new ProvenSpan(t0, t0.AddHours(12)), new ProvenSpan(t0.AddHours(24), t0.AddHours(36)), new ProvenSpan(t0.AddHours(61), t0.AddHours(61))], host.Proven.ToArray());
        Assert.Equal(t0.AddHours(18), host.LastFailed);
        Assert.Equal(TimeSpan.FromHours(18), host.ProvenBetween(t0.AddHours(6), t0.AddDays(10)));
    }

    [Fact]
    public void Merging_two_runs_memories_keeps_both_and_a_failure_cuts_the_span_it_falls_in()
    {
        var t0 = DriftEngineTests.Now;
        var before = DriftMemory.Empty.Remember(Seen("api.example.test A Answer 192.0.2.1"), t0);
        var proving = before.Remember(Seen("api.example.test A Answer 192.0.2.1"), t0.AddHours(12));
        var failing = before.Remember(Seen("api.example.test A ServFail"), t0.AddHours(6)).Remember(Seen("other.example.test A Answer 192.0.2.9"), t0.AddHours(6));

        var merged = DriftMemory.Merge([proving, failing]);

        Assert.Equal(["api.example.test", "other.example.test"], merged.Hosts.Keys);
        var host = merged.Find("api.example.test")!;
        Assert.Equal(t0.AddHours(6), host.LastFailed);
        Assert.Equal([new ProvenSpan(t0, t0), new ProvenSpan(t0.AddHours(12), t0.AddHours(12))], host.Proven.ToArray());
        Assert.Equal(merged.ToJson(), DriftMemory.Merge([failing, proving]).ToJson());
    }

    [Fact]
    public void Memory_survives_a_round_trip_through_its_file()
    {
        var memory = DriftMemory.Empty.Remember(DriftEngineTests.Observations(["api.example.test A Answer 192.0.2.1"]), DriftEngineTests.Now);

        var (read, problem) = DriftMemory.FromJson(memory.ToJson());

        Assert.Null(problem);
        Assert.Equal(memory.ToJson(), read.ToJson());
    }

    [Theory]
    [InlineData(null, "no state yet")]
    [InlineData("{ not json", "the state file is damaged")]
    [InlineData("{\"schemaVersion\": 99, \"hosts\": {}}", "the state file is damaged (it is not state schema 3")]
    [InlineData("[]", "the state file is damaged")]
    public void A_missing_or_corrupt_state_file_is_reported_and_read_as_empty(string? json, string problem)
    {
        var (memory, said) = DriftMemory.FromJson(json);

        Assert.Empty(memory.Hosts);
        Assert.StartsWith(problem, said, StringComparison.Ordinal);
    }

    [Fact]
    public void Observations_replay_exactly_from_their_file()
    {
        var observations = DriftEngineTests.Observations(["api.example.test A Answer 192.0.2.1,192.0.2.2", "api.example.test AAAA NoData"]);

        var replayed = ObservationSet.FromJson(observations.ToJson());

        Assert.Equal(observations.ToJson(), replayed.ToJson());
        Assert.Throws<FormatException>(() => ObservationSet.FromJson("{\"schemaVersion\": 2}"));
    }
}
