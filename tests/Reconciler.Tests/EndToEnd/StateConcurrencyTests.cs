using Reconciler.Memory;
using Reconciler.Tests.Engine;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary>
/// Two or four <c>dotnet cake</c> runs at once on one state file (a scheduled run and a manual one): real
/// processes, each observing other hosts. None loses another's observations, and no run trips on another's files.
/// </summary>
public sealed class StateConcurrencyTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-state-runs-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Runs_at_once_on_one_state_file_keep_every_runs_observations(int runs)
    {
        var policies = Path.Combine(_scratch, $"policies-{runs}");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "p.yaml"),
            "dependencies:\n" + string.Concat(Enumerable.Range(0, runs).Select(i => $"  - name: d{i}\n    hosts: [h{i}.example.test]\n")));
        var state = Path.Combine(_scratch, $"state-{runs}.json");
        var now = new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);

        var started = Enumerable.Range(0, runs).Select(async i =>
        {
            var observed = Path.Combine(_scratch, $"observed-{runs}-{i}.json");
            await File.WriteAllTextAsync(observed, DriftEngineTests.Observations([$"h{i}.example.test A Answer 192.0.2.{i + 1}"]).ToJson());
            return await CakeProcess.RunAsync($"--policies={policies}", $"--out={Path.Combine(_scratch, $"out-{runs}-{i}")}",
                $"--state={state}", $"--observations={observed}", $"--now={now:O}");
        }).ToList();
        var outcomes = await Task.WhenAll(started);

        Assert.All(outcomes, o => Assert.True(o.ExitCode == 0, o.Output));
        var (memory, problem) = DriftMemory.FromJson(await File.ReadAllTextAsync(state));
        Assert.Null(problem);
        Assert.Equal(Enumerable.Range(0, runs).Select(i => $"h{i}.example.test"), memory.Hosts.Keys);
        Assert.Empty(Directory.GetFiles(_scratch, "*.tmp"));
    }
}
