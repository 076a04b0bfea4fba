namespace Reconciler.Tests.Publishing;

/// <summary>
/// A bot that writes when nothing changed floods people with notifications. Everything published (evidence, lists,
/// comments, diffs, fingerprints) is in a canonical order, so answers that come back in another order are no change.
/// </summary>
public sealed class QuietBotTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task The_same_world_answered_in_shuffled_orders_makes_no_writes_after_the_first_run(int seed)
    {
        // Hourly runs against stale_after 14d: the memory's spans of proof move less than is worth a commit.
        await using var world = await PublishingWorld.CreateAsync(PublishingWorld.Policy.Replace("stale_after: 2d", "stale_after: 14d", StringComparison.Ordinal));
        world.Servers = ["127.0.0.1:53", "127.0.0.2:53", "[::1]:53"];
        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"];
        world.Dns["api.billing.test"] = ["198.51.100.99", "198.51.100.98", "198.51.100.97"];
        world.AnswerOrder = new Random(seed);
        await world.RunAsync(PublishingWorld.Start);
        var writes = world.GitHub.Writes;
        Assert.True(writes > 0);

        for (var run = 1; run <= 4; run++)
        {
            var before = world.GitHub.Requests.Count;
            await world.RunAsync(PublishingWorld.Start.AddHours(run));
            var written = world.GitHub.Requests.Skip(before).Where(r => r.Method != "GET").Select(r => $"{r.Method} {r.Path}: {r.Body}").ToList();
            Assert.True(written.Count == 0, $"seed {seed}, run {run}: {string.Join("\n", written)}");
        }
        Assert.Empty(world.GitHub.Violations);
    }
}
