using Reconciler.Dns.Transport;
using Reconciler.Findings;
using Reconciler.Reports;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Engine;

/// <summary>
/// Thirty scheduled runs, six hours apart, against Knot serving a pool of eight addresses two at a time (as
/// providers rotate them), with the memory kept between runs; then the pool moves for good.
/// </summary>
[Collection(DnsServersGroup.Name)]
public sealed class RotatingPoolScenarioTests(DnsServersFixture servers) : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] OldPool = [.. Enumerable.Range(101, 8).Select(i => $"192.0.2.{i}")];
    private static readonly string[] NewPool = [.. Enumerable.Range(201, 8).Select(i => $"198.51.100.{i}")];
    private const int MoveAt = 16;

    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-scenario-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task A_rotating_pool_is_learnt_one_pull_request_is_kept_and_a_moved_pool_is_not_called_stale_on_too_few_answers()
    {
        var policies = Path.Combine(_scratch, "policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "pool.yaml"), """
            dependencies:
              - name: rotating
                hosts: [rotating.example.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: rotating
                    destinations: [192.0.2.101, 192.0.2.102]
            settings:
              samples: 1
              stale_after: 2d
            """);

        var runs = new List<(IReadOnlyList<Finding> Findings, string? PullRequest)>();
        for (var run = 0; run < 30; run++)
        {
            var pool = run < MoveAt ? OldPool : NewPool;
            await servers.Knot.ChangeAsync("example.test",
                ["zone-unset", "rotating", "A"],
                ["zone-set", "rotating", "60", "A", pool[2 * run % 8]],
                ["zone-set", "rotating", "60", "A", pool[(2 * run + 1) % 8]]);
            var options = new RunOptions
            {
                Target = "Plan",
                Policies = policies,
                Out = Path.Combine(_scratch, "out"),
                Nameservers = [servers.Knot.V4],
                State = Path.Combine(_scratch, "state.json"),
                Now = Start.AddHours(6 * run),
            };
            var reconciler = new ReconcilerRun(options, new CollectingLog());
            var planned = await reconciler.PlanAsync();
            Assert.True(planned.Plan.PullRequests.Count <= 1, $"run {run}: {planned.Plan.PullRequests.Count} pull requests");
            runs.Add((planned.Report.Findings, planned.Plan.PullRequests.SingleOrDefault()?.Fingerprint));
        }

        string[] Subjects(int run, FindingKind kind) => [.. runs[run].Findings.Where(f => f.Kind == kind).Select(f => f.Subject).Order(StringComparer.Ordinal)];

        // The pool is learnt: after four runs every address the allowlist lacks is missing, and stays so.
        Assert.Equal(OldPool[2..4], Subjects(1, FindingKind.MissingIp));
        foreach (var run in Enumerable.Range(3, MoveAt - 3))
            Assert.Equal(OldPool[2..], Subjects(run, FindingKind.MissingIp));

        // One pull request throughout, found again by the same fingerprint: updated, never multiplied.
        Assert.Single(runs.Select(r => r.PullRequest).OfType<string>().Distinct());
        Assert.All(runs.Skip(1), r => Assert.NotNull(r.PullRequest));

        // Nothing is stale while the old pool rotates, and nothing after it moved either: the host's memory holds 16
        // addresses, and the 17 answers of 2 since 192.0.2.101 was last served (one a run: Knot gives the same pair
        // while its TTL of 60 s lasts) leave a still-served address unseen with probability about 0.875^17 = 0.1, far
        // above one in a million (README "Rotating pools"). ProofOfAbsenceTests and RotatingPoolTests hold the
        // positive case: a pool that moved is proposed once enough answers have come.
        foreach (var run in Enumerable.Range(0, 30))
            Assert.Empty(Subjects(run, FindingKind.StaleIp));

        // The new pool is found, and old addresses no longer seen within stale_after are no longer proposed.
        Assert.Equal(NewPool, Subjects(29, FindingKind.MissingIp));
        Assert.All(runs.SelectMany(r => r.Findings), f => Assert.NotEqual(FindingKind.ResolutionFailed, f.Kind));
    }

    [Fact]
    public async Task Replaying_a_runs_observations_gives_the_same_findings_without_the_network()
    {
        var policies = Path.Combine(_scratch, "replay-policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "p.yaml"), "dependencies:\n  - name: www\n    hosts: [www.example.test, chain1.example.test, nx.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: www\n        destinations: [192.0.2.10]\n");
        RunOptions Options(string name, string? replay) => new()
        {
            Target = "Plan",
            Policies = policies,
            Out = Path.Combine(_scratch, name),
            Nameservers = replay is null ? [servers.Knot.V4] : [new NameServer(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9))],
            State = Path.Combine(_scratch, name + "-state.json"),
            Now = Start,
            Observations = replay,
        };

        var live = (await new ReconcilerRun(Options("live", null), new CollectingLog()).PlanAsync()).Report;
        var replayed = (await new ReconcilerRun(Options("replayed", Path.Combine(_scratch, "live", "observations.json")), new CollectingLog()).PlanAsync()).Report;

        Assert.NotEmpty(live.Findings);
        Assert.Equal(ReportJson.Write(live with { Run = replayed.Run, Notes = [] }), ReportJson.Write(replayed with { Notes = [] }));
    }
}
