using System.Text;
using Xunit.Abstractions;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// What an unchanged world costs on GitHub: a second, identical Reconcile makes no writes, and its reads do not grow
/// with the number of findings (listings, not one read per PR or issue). Counts, not times; bench/estate.sh prints them.
/// </summary>
public sealed class GitHubCallCountTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_unchanged_world_makes_no_writes_and_reads_the_same_whatever_the_number_of_findings()
    {
        var rows = new List<(int Dependencies, int Findings, int FirstWrites, int Reads, int Writes)>();
        foreach (var count in new[] { 1, 10, 40 })
        {
            await using var world = await PublishingWorld.CreateAsync(Estate(count));
            world.Dns.Clear();
            for (var i = 0; i < count; i++)
            {
                world.Dns[$"api.partner{i}.test"] = [$"198.51.0.{i + 1}", $"198.51.0.{i + 101}"];
                world.Dns[$"files.vendor{i}.test"] = [$"203.0.113.{i + 1}"];
            }
            var (report, _) = await world.RunAsync(PublishingWorld.Start);
            var firstWrites = world.GitHub.Writes;
            var before = world.GitHub.Requests.Count;
            await world.RunAsync(PublishingWorld.Start.AddHours(1));
            var second = world.GitHub.Requests.Skip(before).ToList();
            rows.Add((2 * count, report.Findings.Count, firstWrites, second.Count(r => r.Method == "GET"), second.Count(r => r.Method != "GET")));
            Assert.Empty(world.GitHub.Violations);
        }

        var table = new StringBuilder("dependencies  findings  writes (first run)  reads (second run)  writes (second run)\n");
        foreach (var row in rows)
            table.AppendLine($"{row.Dependencies,12}  {row.Findings,8}  {row.FirstWrites,18}  {row.Reads,18}  {row.Writes,19}");
        table.AppendLine($"reads, 80 dependencies / 2 dependencies: {(double)rows[^1].Reads / rows[0].Reads:0.00} (goal 1.00); writes of an unchanged world: {rows.Sum(r => r.Writes)} (goal 0)");
        output.WriteLine(table.ToString());

        Assert.All(rows, r => Assert.Equal(0, r.Writes));
        Assert.All(rows, r => Assert.Equal(rows[0].Reads, r.Reads));
        Assert.True(rows[^1].Findings > 40 && rows[^1].FirstWrites > 10 * rows[0].FirstWrites, "the larger worlds really have more drift");
    }

    /// <summary>Each partner gives one missing address (a pull request) and each vendor a static address that moved (an issue).</summary>
    private static string Estate(int count)
    {
        var text = new StringBuilder("dependencies:\n");
        for (var i = 0; i < count; i++)
            text.Append($"  - name: partner{i}\n    hosts: [api.partner{i}.test]\n    ports: [443]\n  - name: vendor{i}\n    hosts: [files.vendor{i}.test]\n    ports: [443]\n    track: static\n");
        text.Append("allowlists:\n  - name: app-egress\n    kind: iptables\n    rules:\n");
        for (var i = 0; i < count; i++)
        {
            text.Append($"      - dependency: partner{i}\n        destinations: [198.51.0.{i + 1}]\n        reason: T{i}\n");
            text.Append($"      - dependency: vendor{i}\n        destinations: [192.0.2.{i + 1}]\n        reason: V{i}\n");
        }
        return text.Append("settings:\n  samples: 1\n  stale_after: 2d\n  max_new_pull_requests: 100\n  max_new_issues: 100\n").ToString();
    }
}
