using System.Globalization;
using Reconciler.Reports;

namespace Reconciler.Run;

/// <summary>
/// Whether a set of shard reports is one whole run of the estate: shards 1..N, each exactly once, of one N, planned from
/// the same policies. Anything less merged and published would close what the missing shards found (README "Large
/// estates: shards").
/// </summary>
public static class ShardCover
{
    /// <summary>The shard of a report's <c>run.shard</c> (<c>I/N</c>), or null for anything else (a merged report's "N shards").</summary>
    public static Shard? Of(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index >= 1 && index <= count
            ? new Shard(index, count)
            : null;
    }

    /// <summary>What keeps the reports (file, run) from covering the estate once, one line each; empty when they do.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<(string File, RunInfo Run)> reports)
    {
        var problems = new List<string>();
        var shards = new List<(string File, Shard Shard)>();
        foreach (var (file, run) in reports)
        {
            if (Of(run.Shard) is { } shard)
                shards.Add((file, shard));
            else
                problems.Add($"{file} is not the report of one shard (run.shard is '{run.Shard}')");
        }
        var counts = shards.Select(s => s.Shard.Count).Distinct().Order().ToList();
        if (counts.Count > 1)
            problems.Add($"the reports split the estate in different ways: {string.Join(", ", shards.Select(s => $"{s.File} is shard {s.Shard}"))}");
        else if (counts.Count == 1)
        {
            var n = counts[0];
            foreach (var twice in shards.GroupBy(s => s.Shard.Index).Where(g => g.Count() > 1))
                problems.Add($"shard {twice.Key}/{n} is there {twice.Count()} times: {string.Join(", ", twice.Select(s => s.File))}");
            var missing = Enumerable.Range(1, n).Except(shards.Select(s => s.Shard.Index)).ToList();
            if (missing.Count > 0)
                problems.Add($"missing {(missing.Count == 1 ? "shard" : "shards")} {string.Join(", ", missing.Select(i => $"{i}/{n}"))} (of {n})");
        }
        var digests = reports.Select(r => r.Run.PoliciesDigest).Distinct().ToList();
        if (digests.Count > 1 || digests.Contains(null))
            problems.Add($"the shards did not plan from the same policies: {string.Join(", ", reports.Select(r => $"{r.File} from {r.Run.PoliciesDigest ?? "unknown policies (a report without policiesDigest)"}"))}");
        return problems;
    }
}
