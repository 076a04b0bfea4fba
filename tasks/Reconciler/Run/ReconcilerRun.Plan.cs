using Reconciler.Diagnostics;
using Reconciler.Engine;
using Reconciler.Files;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Model;
using Reconciler.Providers;
using Reconciler.Reports;

namespace Reconciler.Run;

/// <summary>
/// Plan: findings (observed and diffed, or a merged report's), then the one tail every plan shares: the would-be pull
/// requests and issues, the files, the memory saved, the exit decided (README "How Plan decides").
/// </summary>
public sealed partial class ReconcilerRun
{
    /// <summary>
    /// Validate, observe DNS (or replay <c>--observations</c>), remember, diff and plan; with <c>--report</c>, plan from
    /// that merged report instead. Writes report.json, report.md, metrics.prom, observations.json, the would-be PRs and
    /// issues under plan/, and the memory to --state; the report is also the job's step summary.
    /// </summary>
    public async Task<PlanOutcome> PlanAsync(CancellationToken cancellationToken = default)
    {
        var policies = Validate();
        var stages = new StageClock(log);
        var findings = options.Report is { } merged
            ? await MergedFindingsAsync(policies, merged, cancellationToken).ConfigureAwait(false)
            : await ObservedFindingsAsync(policies, stages, cancellationToken).ConfigureAwait(false);
        var outcome = await ConcludeAsync(findings, stages, cancellationToken).ConfigureAwait(false);
        Exit = ExitDecision.Of(outcome, options.FailOn);
        log.SetStepSummary(ReportMarkdown.Write(outcome.Report, outcome.Summary));
        return outcome;
    }

    /// <summary>
    /// What a plan is made from: the policies, the memory before and after, the report's findings and notes, the
    /// provider suggestions; and either what this run observed (for its metrics files) or the merged report read.
    /// </summary>
    private sealed record PlanInput(PolicySet Policies, DriftMemory Before, DriftMemory After, Report Report, IReadOnlyDictionary<string, string> Suggestions, Observed? Observed, string? MergedReport);

    private async Task<PlanInput> ObservedFindingsAsync(PolicySet policies, StageClock stages, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        if (options.Shard.Count > 1)
        {
            policies = policies.Only(options.Shard.Takes);
            notes.Add($"shard {options.Shard}: {policies.Dependencies.Count} dependencies of this shard; merge the shards' reports with --target=Merge");
        }
        // Read before observing: a state that cannot be used is known before any network.
        var (memory, memoryNotes) = await LoadMemoryAsync(cancellationToken).ConfigureAwait(false);
        notes.AddRange(memoryNotes);
        (memory, var future) = memory.ClippedTo(options.Now);
        if (future.Describe(options.Now) is { } clipped)
        {
            log.Warning($"{StateStore.Describe}: {clipped}");
            notes.Add($"{StateStore.Describe}: {clipped}");
        }
        var rotating = memory.Hosts.Where(h => h.Value.Rotates()).Select(h => h.Key).ToHashSet(StringComparer.Ordinal);
        var observed = await Observer().ObserveAsync(policies, rotating, cancellationToken).ConfigureAwait(false);
        notes.AddRange(observed.Others.Notes);
        stages.Lap("observe");
        var remembered = memory.Remember(observed.Dns, options.Now, policies.Settings.StaleAfter);

        var providers = Providers();
        notes.Add(ProviderDataAge.Note(providers, options.Now));
        var findings = FindingPipeline.Run(policies, observed, remembered, providers, options.Now);
        var suggestions = ProviderDrift.Suggestions(policies, remembered, providers, options.Now);
        notes.AddRange(suggestions.Values);
        stages.Lap("diff");
        var report = new Report { Run = RunInfo(policies), Findings = findings, Notes = notes };
        return new PlanInput(policies, memory, remembered, report, suggestions, observed, MergedReport: null);
    }

    /// <summary>The observers as the arguments set them up (README "Arguments").</summary>
    private RunObserver Observer() => new(ObserveSettings(), log);

    private ObserveSettings ObserveSettings() => new(options.Nameservers, options.SystemNameservers, options.Now,
        Replay: options.Observations, LiveDumps: options.Live, AsksEgress: options.Shard.Index == 1, OnGitHubHostedRunner: options.GitHubHostedRunner);

    /// <summary>
    /// <c>--report</c>: the findings of a merged report (the shards observed; this run only plans and publishes), with
    /// the merged memory beside it (<c>state.json</c> written by Merge) as the memory to save.
    /// </summary>
    private async Task<PlanInput> MergedFindingsAsync(PolicySet policies, string file, CancellationToken cancellationToken)
    {
        Report merged;
        try
        {
            merged = ReportJson.Read(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or FormatException or System.Text.Json.JsonException)
        {
            throw ReconcilerException.InvalidArgument("report", $"cannot read '{file}': {e.Message}");
        }
        // One shard's report alone lacks what the others found: publishing it would close their items.
        if (ShardCover.Of(merged.Run.Shard) is { Count: > 1 } shard)
            throw ReconcilerException.InvalidArgument("report", $"'{file}' is the report of shard {shard} alone; merge every shard's report with --target=Merge and publish the merged one");
        // Planned from other policies, its additions were judged against another trust boundary and its removals
        // against other rules: what it would publish is not what this checkout says (README "Large estates: shards").
        if (merged.Run.PoliciesDigest != policies.Digest())
            throw ReconcilerException.InvalidArgument("report", $"'{file}' was planned from other policies ({merged.Run.PoliciesDigest ?? "a report without policiesDigest"}) than {options.Policies} holds ({policies.Digest()}); merge reports of shards run on this checkout");
        var (before, notes) = await LoadMemoryAsync(cancellationToken).ConfigureAwait(false);
        var mergedState = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "state.json");
        var after = File.Exists(mergedState) ? DriftMemory.FromJson(await File.ReadAllTextAsync(mergedState, cancellationToken).ConfigureAwait(false)).Memory : before;
        var suggestions = ProviderDrift.Suggestions(policies, after, Providers(), options.Now);
        // Each shard held back what was too much for its part; the whole estate is judged again here.
        // Every addition passes the gate again, as in any plan: a report is a file, and files can be edited.
        merged = merged with { Findings = [.. CanonicalFindings.Of(RemovalSafety.Hold(policies, AdditionRefusals.Apply(policies, merged.Findings)), policies)], Notes = [.. merged.Notes, .. notes] };
        return new PlanInput(policies, before, after, merged, suggestions, Observed: null, MergedReport: file);
    }

    /// <summary>The tail every plan shares: plan, post the metrics, write plan/ and the report, save the memory.</summary>
    private async Task<PlanOutcome> ConcludeAsync(PlanInput input, StageClock stages, CancellationToken cancellationToken)
    {
        var plan = Planner.Plan(input.Policies, input.Report.Findings, input.Suggestions, input.After, options.Now);
        var report = input.Report;
        if (input.Observed is { } observed && options.Influx is not null)
            report = await PostMetricsAsync(report, InfluxMetrics.Write(report, observed.Dns, observed.Others.Probes), cancellationToken).ConfigureAwait(false);
        if (input.Observed is not null)
            stages.Lap("plan");
        var planFolder = PlanFiles.Write(plan, options.Out);
        var summary = input.Observed is { } seen ? ShowAndWriteReport(input.Report, report, plan, seen, planFolder, input.Policies) : null;
        if (input.MergedReport is { } file)
            log.Information($"publishing {file}: {report.Findings.Count} findings from {report.Run.Shard}; {plan.PullRequests.Count} pull requests and {plan.Issues.Count} issues planned");
        await SaveMemoryAsync(input.Before, input.After, copyForMerge: input.MergedReport is null, cancellationToken).ConfigureAwait(false);
        if (input.Observed is not null)
            stages.Lap("write");
        return new PlanOutcome(input.Policies, input.Before, input.After, report, plan, summary, input.MergedReport);
    }

    /// <summary>What an observing plan shows and writes: what it would open, the grouped view, and every output file.</summary>
    /// <param name="measured">The report as the metrics measured it (before a note on a failed post).</param>
    private RunSummary ShowAndWriteReport(Report measured, Report report, ChangePlan plan, Observed observed, string planFolder, PolicySet policies)
    {
        foreach (var failed in plan.PullRequests.Where(p => p.Failure is not null))
            log.Warning($"no pull request for {failed.Branch}: {failed.Failure}");
        var verb = options.Target.Equals("Reconcile", StringComparison.OrdinalIgnoreCase) ? "to publish" : "would open";
        log.Information($"{verb} {Count(plan.PullRequests.Count(p => p.Failure is null), "pull request", "pull requests")} and {Count(plan.Issues.Count, "issue", "issues")} ({planFolder}):");
        // metrics.influx is written as it is made; the text is made whole only to be posted.
        return WriteReport(report, plan, new OutputFile("observations.json", observed.Dns.WriteTo), OutputFile.Text("metrics.prom", Metrics.Prometheus(report, observed.Dns, observed.Others.Probes)),
            OutputFile.Writer("metrics.influx", w => InfluxMetrics.WriteTo(w, measured, observed.Dns, observed.Others.Probes)), Sarif.File(report, policies.RepositoryPathOf));
    }

    /// <summary>
    /// The memory to <c>--state</c>; on the state branch it is saved after publishing, and an observing run's copy in
    /// --out is what Merge joins for a sharded run.
    /// </summary>
    private async Task SaveMemoryAsync(DriftMemory before, DriftMemory after, bool copyForMerge, CancellationToken cancellationToken)
    {
        if (_stateBranch is null)
            await StateStore.SaveAsync(before, after, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        else if (copyForMerge)
            AtomicFile.Write(options.StatePath, after.WriteTo);
    }

    private IStateStore? _stateStore;

    /// <summary>Where the drift memory lives: the state branch when Reconcile keeps it there (set on connecting), else <c>--state</c>.</summary>
    private IStateStore StateStore => _stateStore ??= new LocalStateFile(options.StatePath, TimeProvider.System, clipAt: options.Now);

    /// <summary>Reads the memory; a missing, old or damaged state is a note and a warning (a damaged one is kept aside first).</summary>
    private async Task<(DriftMemory Memory, IReadOnlyList<string> Notes)> LoadMemoryAsync(CancellationToken cancellationToken)
    {
        var read = await StateStore.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (read.Problem is null)
            return (read.Memory, []);
        log.Warning($"{StateStore.Describe}: {read.Problem}");
        return (read.Memory, [$"{StateStore.Describe}: {read.Problem}"]);
    }
}
