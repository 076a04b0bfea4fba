using Reconciler.Reports;
using Reconciler.Run;

namespace Reconciler.Tests.Run;

/// <summary>Merge takes a set of shard reports only when it is shards 1..N, once each, of one N and one set of policies.</summary>
public sealed class ShardCoverTests
{
    private static (string File, RunInfo Run) Report(string shard, string? digest = "sha256:aa") =>
        ($"s{shard.Replace('/', '-')}/report.json", new RunInfo { Target = "Plan", Tool = "reconciler", Now = DateTimeOffset.UnixEpoch, Policies = "policies", PolicyFiles = [], FailOn = "high", Shard = shard, PoliciesDigest = digest });

    [Theory]
    [InlineData("1/1")]
    [InlineData("1/2,2/2")]
    [InlineData("3/3,1/3,2/3")]
    public void A_whole_set_is_taken(string shards) =>
        Assert.Empty(ShardCover.Problems([.. shards.Split(',').Select(s => Report(s))]));

    [Theory]
    [InlineData("1/2", "missing shard 2/2 (of 2)")]
    [InlineData("2/4,4/4", "missing shards 1/4, 3/4 (of 4)")]
    [InlineData("1/2,1/2,2/2", "shard 1/2 is there 2 times: s1-2/report.json, s1-2/report.json")]
    [InlineData("1/2,2/3", "the reports split the estate in different ways: s1-2/report.json is shard 1/2, s2-3/report.json is shard 2/3")]
    [InlineData("2 shards", "s2 shards/report.json is not the report of one shard (run.shard is '2 shards')")]
    public void A_set_that_does_not_cover_the_estate_once_is_named(string shards, string problem) =>
        Assert.Contains(problem, ShardCover.Problems([.. shards.Split(',').Select(s => Report(s))]));

    [Fact]
    public void Shards_of_other_policies_or_of_unknown_policies_are_refused()
    {
        var other = ShardCover.Problems([Report("1/2"), Report("2/2", "sha256:bb")]);
        var unknown = ShardCover.Problems([Report("1/2"), Report("2/2", null)]);

        Assert.Equal(["the shards did not plan from the same policies: s1-2/report.json from sha256:aa, s2-2/report.json from sha256:bb"], other);
        Assert.Contains("unknown policies", Assert.Single(unknown), StringComparison.Ordinal);
    }
}
