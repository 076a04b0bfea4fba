using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary>Merge takes only a whole set of shards of one set of policies, and a single shard's report is never published.</summary>
[Collection(DnsServersGroup.Name)]
public sealed class ShardMergeEntryTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-shards-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static string Estate(int version) => "dependencies:\n" + string.Concat(Enumerable.Range(1, 6).Select(i => $"  - name: d{i}\n    hosts: [d{i}.example.test]\n")) +
        "allowlists:\n  - name: egress\n    kind: iptables\n    rules:\n" + string.Concat(Enumerable.Range(1, 6).Select(i => $"      - dependency: d{i}\n        destinations: [10.0.0.{i + version}/32]\n"));

    private static async Task<string> ShardAsync(string policies, int shard, string output, string replay)
    {
        var folder = Path.Combine(output, $"shard-{shard}");
        var run = await CakeProcess.RunAsync("--policies=" + policies, $"--shard={shard}/2", "--out=" + folder, "--observations=" + replay, "--fail-on=critical");
        Assert.True(run.ExitCode == 0, run.Output);
        return folder;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [Fact]
    public async Task Merge_refuses_a_missing_shard_and_shards_of_other_policies_and_takes_the_whole_set()
    {
        var policies = Path.Combine(_scratch, "policies");
        Directory.CreateDirectory(policies);
        File.WriteAllText(Path.Combine(policies, "p.yaml"), Estate(0));
        var replay = Path.Combine(_scratch, "none.json");
        File.WriteAllText(replay, Reconciler.Observe.ObservationSet.Empty(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero)).ToJson());
        var whole = Path.Combine(_scratch, "whole");
        var first = await ShardAsync(policies, 1, whole, replay);
        var second = await ShardAsync(policies, 2, whole, replay);

        var half = Path.Combine(_scratch, "half");
        CopyFolder(first, Path.Combine(half, "shard-1"));
        var partial = await CakeProcess.RunAsync("--target=Merge", "--out=" + half);

        Assert.True(partial.ExitCode == 2, partial.Output);
        Assert.Contains("missing shard 2/2 (of 2)", partial.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(half, "report.json")), "a refused merge wrote a merged report");

        // Shard 2 planned from other policies (a commit landed between the jobs).
        File.WriteAllText(Path.Combine(policies, "p.yaml"), Estate(10));
        var mixed = Path.Combine(_scratch, "mixed");
        CopyFolder(first, Path.Combine(mixed, "shard-1"));
        await ShardAsync(policies, 2, mixed, replay);
        var other = await CakeProcess.RunAsync("--target=Merge", "--out=" + mixed);

        Assert.True(other.ExitCode == 2, other.Output);
        Assert.Contains("the shards did not plan from the same policies", other.Output, StringComparison.Ordinal);

        // The positive control: the whole set of one revision merges.
        var merged = await CakeProcess.RunAsync("--target=Merge", "--out=" + whole);
        Assert.True(merged.ExitCode == 0, merged.Output);
        Assert.Contains("merged 2 shard reports", merged.Output, StringComparison.Ordinal);

        // One shard's own report is never published as if it were the estate's.
        var alone = await CakeProcess.RunAsync("--target=Plan", "--policies=" + policies, "--report=" + Path.Combine(second, "report.json"),
            "--out=" + Path.Combine(_scratch, "alone"), "--state=" + Path.Combine(_scratch, "alone.json"), "--observations=" + replay);
        Assert.True(alone.ExitCode == 2, alone.Output);
        Assert.Contains("is the report of shard 2/2 alone", alone.Output, StringComparison.Ordinal);

        // The merged report of revision 0 is not published over the policies of another revision (they hold Estate(10) now)…
        string[] Publish(string name) => ["--target=Plan", "--policies=" + policies, "--report=" + Path.Combine(whole, "report.json"),
            "--out=" + Path.Combine(_scratch, name), "--state=" + Path.Combine(_scratch, name + ".json"), "--observations=" + replay];
        var stale = await CakeProcess.RunAsync(Publish("stale"));
        Assert.True(stale.ExitCode == 2, stale.Output);
        Assert.Contains("was planned from other policies", stale.Output, StringComparison.Ordinal);
        // …and is over its own (the control).
        File.WriteAllText(Path.Combine(policies, "p.yaml"), Estate(0));
        var same = await CakeProcess.RunAsync(Publish("same"));
        Assert.True(same.ExitCode is 0 or 1, same.Output);
        Assert.DoesNotContain("was planned from other policies", same.Output, StringComparison.Ordinal);
    }
}
