using System.Buffers.Binary;
using System.Collections.Immutable;
using Reconciler.Dns.Transport;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Review;

/// <summary>
/// Review of a pull request that drops one address of a rotating pool, against a real UDP server on loopback that
/// answers each query with a random 2 of the pool's 8 addresses (seeded, so a failure replays). With Plan's memory
/// the answer is the same on every run; without it, it depends on which 2 the server happened to give.
/// </summary>
public sealed class ReviewMemoryTests
{
    private static readonly string[] Pool = [.. Enumerable.Range(10, 8).Select(i => $"192.0.2.{i}")];

    [Fact]
    public async Task A_rotating_pool_gets_the_same_review_on_every_run_when_Review_reads_the_memory()
    {
        var random = new Random(20261201);
        await using var dns = new ScriptedDnsServer((server, query, from) => server.Reply(Answer(query, random), from));
        using var world = new ReviewWorld();
        world.Edit(p => p.Replace("[192.0.2.10, 192.0.2.11]", "[192.0.2.10]", StringComparison.Ordinal));
        var state = Path.Combine(world.Out, "..", "state.json");
        // What Plan has learnt of the pool over the last days: all 8 addresses, each seen within stale_after.
        var hosts = ImmutableSortedDictionary.Create<string, HostMemory>(StringComparer.Ordinal).Add("api.ledger.test", new HostMemory(
            ReviewWorld.Now.AddDays(-20),
            Pool.ToImmutableSortedDictionary(a => a, a => new AddressMemory(ReviewWorld.Now.AddDays(-20), ReviewWorld.Now.AddHours(-6)), StringComparer.Ordinal)));
        await File.WriteAllTextAsync(state, new DriftMemory(hosts).ToJson());

        var withMemory = new List<string>();
        var withoutMemory = new List<string>();
        for (var run = 0; run < 6; run++)
        {
            withMemory.Add(await ReviewAsync(world, dns, state));
            withoutMemory.Add(await ReviewAsync(world, dns, Path.Combine(world.Out, "..", "no-such-state.json")));
        }

        Assert.All(withMemory, outcome => Assert.Equal("exit 1: removal-in-use", outcome));
        // The control: one moment's answers decide differently from run to run, which is what the memory fixes.
        Assert.True(withoutMemory.Distinct().Count() > 1, "without the memory every run agreed: " + string.Join("; ", withoutMemory));
    }

    private static async Task<string> ReviewAsync(ReviewWorld world, ScriptedDnsServer dns, string state)
    {
        using var run = new ReconcilerRun(new RunOptions
        {
            Target = "Review",
            Policies = world.Policies,
            Out = world.Out,
            Base = "main",
            Nameservers = [new NameServer(dns.Endpoint)],
            State = state,
            Now = ReviewWorld.Now,
        }, new CollectingLog());
        var review = await run.ReviewAsync();
        return $"exit {run.Exit.Code}: {string.Join(", ", review.Findings.Select(f => f.Kind.ToWire()).Order())}";
    }

    /// <summary>A: two addresses of the pool at random; AAAA: none (NODATA).</summary>
    private static byte[] Answer(byte[] query, Random random)
    {
        var at = 12;
        while (query[at] != 0)
            at += query[at] + 1;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(at + 1));
        if (type != 1)
            return Replies.Answer(query);
        lock (random)
            return Replies.Answer(query, [.. Pool.OrderBy(_ => random.Next()).Take(2)]);
    }
}
