using Reconciler.Diagnostics;
using Reconciler.Engine;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Reports;

namespace Reconciler.Run;

/// <summary>
/// One run of Reconciler, as the Cake targets drive it: each target is one call here, and what one target
/// produced (the loaded policies, the report) is kept for the targets that depend on it.
/// </summary>
public sealed class ReconcilerRun(RunOptions options, IRunLog log)
{
    public static string ToolVersion { get; } =
        typeof(ReconcilerRun).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public RunOptions Options => options;

    /// <summary>What the run should exit with so far; targets raise it, never lower it.</summary>
    public int ExitCode { get; private set; } = ExitCodes.Ok;

    public PolicySet? Policies { get; private set; }

    public Report? Report { get; private set; }

    /// <summary>Loads every policy file; logs every error as <c>file:line:col: message</c> and stops the run on any.</summary>
    public PolicySet Validate()
    {
        if (Policies is not null)
            return Policies;
        var result = PolicyDirectory.Load(options.Policies);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
                log.Error(error.ToString());
            throw new InvalidPolicyException(result.Errors);
        }
        Policies = result.Policies!;
        log.Information($"{Policies.Files.Count} policy files valid: {Policies.Dependencies.Count} dependencies, {Policies.Identities.Count} identities, {Policies.Allowlists.Count} allowlists.");
        return Policies;
    }

    /// <summary>Validate, observe, diff and report; writes <c>report.json</c> and <c>report.md</c> to <c>--out</c>.</summary>
    public Report Plan()
    {
        var policies = Validate();
        var findings = PolicyLint.Check(policies);
        var report = new Report
        {
            Run = RunInfo(policies),
            Findings = findings,
            Notes = ["DNS, provider feeds, probes and egress are not observed by this build yet: only what the policies themselves say was checked."],
        };
        Publish(report);
        return report;
    }

    /// <summary>Fails clearly for a target whose work is not built yet, instead of pretending it ran.</summary>
    public static void NotBuiltYet(string target, string issue) =>
        throw new ReconcilerException(ExitCodes.InvalidInput, $"target {target} is not built yet ({issue}); run Validate or Plan");

    private void Publish(Report report)
    {
        Report = report;
        var written = ReportFiles.Write(report, options.Out);
        foreach (var finding in report.Findings.OrderByDescending(f => f.Severity))
            log.Warning($"{finding.Severity.ToString().ToLowerInvariant()} {finding.Kind.ToWire()} {finding.Dependency}: {finding.Message}");
        log.Information($"{report.Findings.Count} findings; wrote {string.Join(", ", written)}");
        if (report.HasFindingsAtOrAbove(options.FailOn))
            Raise(ExitCodes.FindingsAtOrAboveFailOn);
    }

    private RunInfo RunInfo(PolicySet policies) => new()
    {
        Target = options.Target,
        Tool = $"reconciler {ToolVersion}",
        Now = options.Now,
        Policies = options.Policies,
        PolicyFiles = policies.Files,
        Nameservers = [.. options.Nameservers.Select(n => n.ToString())],
        Shard = options.Shard.ToString(),
        FailOn = options.FailOn.ToString().ToLowerInvariant(),
    };

    private void Raise(int code) => ExitCode = Math.Max(ExitCode, code);
}
