using Reconciler.Engine;

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
    [InlineData("{ not json", "the state file is corrupt")]
    [InlineData("{\"schemaVersion\": 99, \"hosts\": {}}", "the state file is not state schema 1")]
    [InlineData("[]", "the state file is corrupt")]
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
