using Reconciler.Diagnostics;
using Reconciler.Files;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Reports;
using Reconciler.Planning;

namespace Reconciler.Run;

/// <summary>
/// One run of Reconciler, as the Cake targets drive it: each target is one call here. What a target concludes is its
/// return value (Plan's <see cref="PlanOutcome"/> is what Reconcile publishes); the run keeps only the loaded policies,
/// the connection to GitHub and how the last target decided the run ends (<see cref="Exit"/>).
/// </summary>
/// <param name="log">Where the run speaks: its log, and the job's summary and annotations (see <see cref="RunHost"/>).</param>
public sealed partial class ReconcilerRun(RunOptions options, IRunHost log) : IDisposable
{
    public RunOptions Options => options;

    /// <summary>How the run ends and why, as the last target decided it (<see cref="ExitDecision"/>).</summary>
    public ExitDecision Exit { get; private set; } = ExitDecision.Done;

    private PolicySet? _policies;

    /// <summary>Loads every policy file (once a run); logs every error as <c>file:line:col: message</c> and stops the run on any.</summary>
    public PolicySet Validate()
    {
        if (_policies is not null)
            return _policies;
        var stage = new StageClock(log);
        var result = PolicyDirectory.Load(options.Policies);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
                log.Error(error.ToString());
            throw new InvalidPolicyException(result.Errors);
        }
        var policies = _policies = result.Policies!;
        stage.Lap("load");
        log.Information($"{policies.Files.Count} policy files valid: {Count(policies.Dependencies.Count, "dependency", "dependencies")}, {Count(policies.Identities.Count, "identity", "identities")}, {Count(policies.Allowlists.Count, "allowlist", "allowlists")}{(policies.PrefixSets.Count == 0 ? "" : ", " + Count(policies.PrefixSets.Count, "prefix set", "prefix sets"))}.");
        Exit = ExitDecision.PoliciesValid;
        return policies;
    }

    /// <summary>Writes the deployable allowlists (iptables-restore and ipset files, squid includes) to <c>--out/rendered/</c>.</summary>
    public IReadOnlyList<string> Render()
    {
        var written = Reconciler.Render.RenderFiles.Write(Validate(), options.Out);
        log.Information($"rendered {written.Count} files under {Path.Combine(options.Out, "rendered")}");
        return written;
    }

    /// <summary>
    /// Merges the <c>report.json</c> of every shard found under <c>--out</c> (one folder each) into
    /// <c>--out/report.json</c> and <c>report.md</c>: findings by fingerprint, once each; notes once each.
    /// </summary>
    public Report Merge()
    {
        var files = Directory.Exists(options.Out)
            ? Directory.GetDirectories(options.Out).Select(d => Path.Combine(d, "report.json")).Where(File.Exists).Order(StringComparer.Ordinal).ToList()
            : [];
        if (files.Count == 0)
            throw ReconcilerException.InvalidArgument("out", $"no shard reports (*/report.json) under '{options.Out}'");
        var reports = files.Select(f => ReportJson.Read(File.ReadAllText(f))).ToList();
        // Merged and published, a partial set would close what the missing shards found: refuse it, naming what is wrong.
        var problems = ShardCover.Problems([.. files.Select((f, i) => (Path.GetRelativePath(options.Out, f), reports[i].Run))]);
        if (problems.Count > 0)
            throw ReconcilerException.InvalidArgument("out", $"the shard reports under '{options.Out}' are not shards 1..N once each of the same policies: {string.Join("; ", problems)}");
        var merged = new Report
        {
            Run = reports[0].Run with { Target = "Merge", Shard = $"{reports.Count} shards", Now = reports.Max(r => r.Run.Now) },
            Findings = [.. reports.SelectMany(r => r.Findings).DistinctBy(f => f.Fingerprint)],
            Notes = [.. reports.SelectMany(r => r.Notes).Where(n => !n.StartsWith("shard ", StringComparison.Ordinal)).Distinct()],
        };
        var states = files.Select(f => Path.Combine(Path.GetDirectoryName(f)!, "state.json")).Where(File.Exists).ToList();
        var memory = DriftMemory.Merge(states.Select(f => DriftMemory.FromJson(File.ReadAllText(f)).Memory));
        WriteReport(merged, null, new OutputFile("state.json", memory.WriteTo));
        Exit = ExitDecision.Findings(merged.Findings, options.FailOn);
        log.Information($"merged {reports.Count} shard reports: {merged.Findings.Count} findings; and {states.Count} shard memories");
        return merged;
    }

    /// <summary>
    /// Writes report.json, report.md and the other files, shows the grouped view, and returns it. <paramref name="plan"/>
    /// is Plan's (null for Review and Merge): the grouped view names what it would open.
    /// </summary>
    private RunSummary WriteReport(Report report, ChangePlan? plan, params OutputFile[] more)
    {
        var comparison = FindingsMemoryPath();
        var summary = RunSummary.Of(report, plan, RunSummary.ReadFingerprints(File.Exists(comparison) ? File.ReadAllText(comparison) : null));
        var written = ReportFiles.Write(report, options.Out, [OutputFile.Writer("report.md", w => ReportMarkdown.WriteTo(w, report, summary)), .. more]);
        AtomicFile.Write(comparison, RunSummary.FingerprintsJson(report));
        // Every finding at --verbosity=verbose; the grouped view always: a large estate's findings are thousands of lines.
        foreach (var finding in report.Findings.OrderByDescending(f => f.Severity))
            log.Verbose($"{finding.Severity.ToWire()} {finding.Kind.ToWire()} {finding.Dependency}{((finding.Allowlist ?? finding.PrefixSet) is { } where ? " in " + where : "")}: {finding.Message}");
        foreach (var line in summary.ConsoleText())
            log.Information(line);
        log.Information($"wrote {options.Out}/: {string.Join(", ", written.Select(Path.GetFileName))}{(plan is null ? "" : ", plan/")}");
        return summary;
    }

    /// <summary>This target's last findings, kept beside the state file, for "new / unchanged / resolved since the last run".</summary>
    private string FindingsMemoryPath()
    {
        var state = Path.GetFullPath(options.StatePath);
        return Path.Combine(Path.GetDirectoryName(state)!, $"{Path.GetFileNameWithoutExtension(state)}.{options.Target.ToLowerInvariant()}-findings.json");
    }

    private static string Count(int n, string one, string many) => $"{n:N0} {(n == 1 ? one : many)}";

    private RunInfo RunInfo(PolicySet? policies) => new()
    {
        Target = options.Target,
        Tool = $"reconciler {ToolIdentity.Version}",
        Now = options.Now,
        // Repository-relative, as everything published is: the checkout's folder is the machine's, not the repository's.
        Policies = RepositoryPathOf(options.Policies),
        PolicyFiles = policies is null ? [] : [.. policies.Files.Select(policies.RepositoryPathOf)],
        Nameservers = [.. options.Nameservers.Select(n => n.ToString())],
        Shard = options.Shard.ToString(),
        PoliciesDigest = policies?.Digest(),
        FailOn = options.FailOn.ToWire(),
    };
}
