using Reconciler.Memory;
using Reconciler.Planning;
using Reconciler.Policies.Model;
using Reconciler.Reports;

namespace Reconciler.Run;

/// <summary>
/// What Plan concluded, whole and unchanging: Reconcile publishes it and <see cref="ExitDecision"/> judges it
/// (README "How Plan decides").
/// </summary>
/// <param name="Policies">The policies planned for (a shard's part of them, when sharded).</param>
/// <param name="MemoryBefore">The drift memory as the run read it; saving compares with it.</param>
/// <param name="MemoryAfter">The memory with this run's observations (or a merged report's shards') in it.</param>
/// <param name="Report">The findings and notes, as report.json holds them.</param>
/// <param name="Plan">The would-be pull requests and issues.</param>
/// <param name="Summary">The grouped view of the console and report.md; null for a merged report, which writes neither.</param>
/// <param name="MergedReport">The merged report (<c>--report</c>) this plan was made from; null when this run observed.</param>
public sealed record PlanOutcome(
    PolicySet Policies,
    DriftMemory MemoryBefore,
    DriftMemory MemoryAfter,
    Report Report,
    ChangePlan Plan,
    RunSummary? Summary,
    string? MergedReport);
