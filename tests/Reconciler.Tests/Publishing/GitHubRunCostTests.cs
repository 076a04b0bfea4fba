using System.Text;
using Microsoft.Extensions.Time.Testing;
using Reconciler.GitHub;
using Xunit.Abstractions;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// What a scheduled run of 1,000 dependencies costs on GitHub when a tenth of them drift: reads and writes per run,
/// and the writes paced under GitHub's secondary limits (80 a minute) on a fake clock, so the pacing is exact and
/// costs the test no time. Counts, not times; bench/estate.sh prints the table.
/// </summary>
public sealed class GitHubRunCostTests(ITestOutputHelper output)
{
    private const int Partners = 500;   // DNS-tracked: a missing address is a pull request
    private const int Vendors = 500;    // static: an address that moved is an issue

    [Fact]
    public async Task A_thousand_dependencies_with_a_tenth_drifting_are_published_paced_under_eighty_writes_a_minute()
    {
        await using var world = await PublishingWorld.CreateAsync(Estate());
        var rows = new List<(string Run, int Drifting, int Reads, int Writes, TimeSpan Paced, int BusiestMinute)>();

        // Run 1: the first 10 % drift. Run 2, an hour on: the same drift, already published. Run 3, a day on:
        // that drift is over and another 10 % drifts (old PRs and issues closed, new ones opened).
        foreach (var (run, at, drifting) in new[]
        {
            ("first", PublishingWorld.Start, Drift(0)),
            ("unchanged, 1 h later", PublishingWorld.Start.AddHours(1), Drift(0)),
            ("new drift, 1 day later", PublishingWorld.Start.AddDays(1), Drift(1)),
        })
        {
            SetDns(world, drifting);
            var clock = new FakeTimeProvider(at);
            var pacer = new GitHubWritePacer(clock);
            var before = world.GitHub.Requests.Count;
            var running = world.RunAsync(at, pacer: pacer);
            while (!running.IsCompleted)
            {
                // The run waits only on the pacer's clock; move that clock on whenever a write waits on it.
                if (pacer.WaitingUntil is { } until)
                    clock.Advance(until - clock.GetUtcNow());
                else
                    await Task.WhenAny(running, Task.Delay(2));
            }
            var (_, exitCode) = await running;
            Assert.NotEqual(Reconciler.Diagnostics.ExitCodes.RunFailed, exitCode);
            var requests = world.GitHub.Requests.Skip(before).ToList();
            var slots = pacer.Slots;
            var busiest = slots.Count == 0 ? 0 : slots.Max(end => slots.Count(s => s > end - TimeSpan.FromMinutes(1) && s <= end));
            rows.Add((run, drifting.Count, requests.Count(r => r.Method == "GET"), requests.Count(r => r.Method != "GET"), clock.GetUtcNow() - at, busiest));
            Assert.Equal(requests.Count(r => r.Method != "GET"), pacer.Totals.Writes);   // every write went through the pacer
            Assert.InRange(busiest, 0, 80);
            Assert.Empty(world.GitHub.Violations);
        }

        var table = new StringBuilder("GitHub calls, 1,000 dependencies (500 DNS-tracked, 500 static), 10 % drifting:\nrun                       drifting  reads  writes  writes paced over  busiest minute\n");
        foreach (var row in rows)
            table.AppendLine($"{row.Run,-24}  {row.Drifting,8}  {row.Reads,5}  {row.Writes,6}  {row.Paced.TotalMinutes,13:0.0} min  {row.BusiestMinute,8} writes");
        table.AppendLine("busiest minute: most writes let go in any 60 s (goal <= 80, GitHub's secondary limit), paced, never retried");
        output.WriteLine(table.ToString());

        Assert.True(rows[0].Writes > 80, "the first run writes enough to need pacing");
        Assert.True(rows[0].Paced >= TimeSpan.FromMinutes(1), "and was paced");
        Assert.Equal(0, rows[1].Writes);
        Assert.True(rows[2].Writes > 0);
    }

    /// <summary>Round r drifts every tenth dependency from r on: partners and vendors alike.</summary>
    private static HashSet<string> Drift(int round) =>
        [.. Enumerable.Range(0, Partners).Where(i => i % 10 == round).Select(i => $"partner{i}"),
         .. Enumerable.Range(0, Vendors).Where(i => i % 10 == round).Select(i => $"vendor{i}")];

    private static void SetDns(PublishingWorld world, HashSet<string> drifting)
    {
        world.Dns.Clear();
        for (var i = 0; i < Partners; i++)
            world.Dns[$"api.partner{i}.test"] = drifting.Contains($"partner{i}") ? [Address(10, i), Address(11, i)] : [Address(10, i)];
        for (var i = 0; i < Vendors; i++)
            world.Dns[$"files.vendor{i}.test"] = [drifting.Contains($"vendor{i}") ? Address(21, i) : Address(20, i)];
    }

    private static string Address(int net, int i) => $"10.{net}.{i / 256}.{i % 256}";

    private static string Estate()
    {
        var text = new StringBuilder("dependencies:\n");
        for (var i = 0; i < Partners; i++)
            text.Append($"  - name: partner{i}\n    hosts: [api.partner{i}.test]\n    ports: [443]\n    private_ranges: [10.0.0.0/8]\n");
        for (var i = 0; i < Vendors; i++)
            text.Append($"  - name: vendor{i}\n    hosts: [files.vendor{i}.test]\n    ports: [443]\n    track: static\n");
        text.Append("allowlists:\n  - name: app-egress\n    kind: iptables\n    rules:\n");
        for (var i = 0; i < Partners; i++)
            text.Append($"      - dependency: partner{i}\n        destinations: [{Address(10, i)}]\n        reason: T{i}\n");
        for (var i = 0; i < Vendors; i++)
            text.Append($"      - dependency: vendor{i}\n        destinations: [{Address(20, i)}]\n        reason: V{i}\n");
        return text.Append("settings:\n  samples: 1\n  stale_after: 14d\n  max_new_pull_requests: 100\n  max_new_issues: 100\n").ToString();
    }
}
