using Reconciler.Diagnostics;
using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;
using Reconciler.Engine;
using Reconciler.Files;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Providers;
using Reconciler.Reports;
using Reconciler.Planning;

namespace Reconciler.Run;

/// <summary>
/// One run of Reconciler, as the Cake targets drive it: each target is one call here, and what one target
/// produced (the loaded policies, the report) is kept for the targets that depend on it.
/// </summary>
/// <param name="log">Where the run speaks: its log, and the job's summary and annotations (see <see cref="RunHost"/>).</param>
public sealed partial class ReconcilerRun(RunOptions options, IRunHost log) : IDisposable
{
    public RunOptions Options => options;

    /// <summary>What the run should exit with so far; targets raise it, never lower it.</summary>
    public int ExitCode { get; private set; } = ExitCodes.Ok;

    /// <summary>Why the run exits with <see cref="ExitCode"/>, for its last line (<c>exit 1: 3 findings at or above high</c>).</summary>
    public string ExitReason { get; private set; } = "done";

    /// <summary>The grouped view of the last report, as the console, report.md and the job summary show it.</summary>
    public RunSummary? Summary { get; private set; }

    public PolicySet? Policies { get; private set; }

    /// <summary>Loads every policy file; logs every error as <c>file:line:col: message</c> and stops the run on any.</summary>
    public PolicySet Validate()
    {
        if (Policies is not null)
            return Policies;
        var stage = new StageClock(log);
        var result = PolicyDirectory.Load(options.Policies);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
                log.Error(error.ToString());
            throw new InvalidPolicyException(result.Errors);
        }
        Policies = result.Policies!;
        stage.Lap("load");
        log.Information($"{Policies.Files.Count} policy files valid: {Count(Policies.Dependencies.Count, "dependency", "dependencies")}, {Count(Policies.Identities.Count, "identity", "identities")}, {Count(Policies.Allowlists.Count, "allowlist", "allowlists")}{(Policies.PrefixSets.Count == 0 ? "" : ", " + Count(Policies.PrefixSets.Count, "prefix set", "prefix sets"))}.");
        ExitReason = "the policies are valid";
        return Policies;
    }

    public ChangePlan? ChangePlan { get; private set; }

    /// <summary>The drift memory as the last plan read it, and as it left it.</summary>
    public DriftMemory? LoadedMemory { get; private set; }
    public DriftMemory? Memory { get; private set; }

    public Report? Report { get; private set; }

    private IStateStore? _stateStore;

    /// <summary>Hosts the memory says rotate: the observer samples them more (README, "Rotating pools").</summary>
    private HashSet<string> _rotating = new(StringComparer.Ordinal);

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

    /// <summary>
    /// Validate, observe DNS (or replay <c>--observations</c>), remember, diff and plan. Writes report.json,
    /// report.md, metrics.prom, observations.json, the would-be PRs and issues under plan/, and the memory to --state;
    /// the report is also the job's step summary.
    /// </summary>
    public async Task<Report> PlanAsync(CancellationToken cancellationToken = default)
    {
        if (options.Report is not null)
            return WithStepSummary(await PlanFromMergedReportAsync(cancellationToken).ConfigureAwait(false));
        var policies = Validate();
        var stages = new StageClock(log);
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
        _rotating = [.. memory.Hosts.Where(h => h.Value.Rotates()).Select(h => h.Key)];
        var observed = await ObserveAsync(policies, cancellationToken).ConfigureAwait(false);
        notes.AddRange(observed.Others.Notes);
        stages.Lap("observe");
        LoadedMemory = memory;
        memory = Memory = memory.Remember(observed.Dns, options.Now, policies.Settings.StaleAfter);

        var providers = Providers();
        notes.Add(ProviderDataAge.Note(providers, options.Now));
        var findings = FindingPipeline.Run(policies, observed, memory, providers, options.Now);
        var suggestions = ProviderDrift.Suggestions(policies, memory, providers, options.Now);
        notes.AddRange(suggestions.Values);
        stages.Lap("diff");

        var plan = Planner.Plan(policies, findings, suggestions, memory, options.Now);
        var report = new Report { Run = RunInfo(policies), Findings = findings, Notes = notes };
        // metrics.influx is written as it is made; the text is made whole only to be posted.
        var measured = report;
        if (options.Influx is not null)
            report = await PostMetricsAsync(report, InfluxMetrics.Write(measured, observed.Dns, observed.Others.Probes), cancellationToken).ConfigureAwait(false);
        ChangePlan = plan;
        Report = report;
        stages.Lap("plan");
        var planFolder = PlanFiles.Write(plan, options.Out);
        foreach (var failed in plan.PullRequests.Where(p => p.Failure is not null))
            log.Warning($"no pull request for {failed.Branch}: {failed.Failure}");
        var verb = options.Target.Equals("Reconcile", StringComparison.OrdinalIgnoreCase) ? "to publish" : "would open";
        log.Information($"{verb} {Count(plan.PullRequests.Count(p => p.Failure is null), "pull request", "pull requests")} and {Count(plan.Issues.Count, "issue", "issues")} ({planFolder}):");
        WriteReport(report, new OutputFile("observations.json", observed.Dns.WriteTo), OutputFile.Text("metrics.prom", Metrics.Prometheus(report, observed.Dns, observed.Others.Probes)),
            OutputFile.Writer("metrics.influx", w => InfluxMetrics.WriteTo(w, measured, observed.Dns, observed.Others.Probes)), Sarif.File(report, policies.RepositoryPathOf));
        if (_stateBranch is null)
            await StateStore.SaveAsync(LoadedMemory, memory, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        else // saved to the branch after publishing; a copy in --out is what Merge joins for a sharded run
            AtomicFile.Write(options.StatePath, memory.WriteTo);
        stages.Lap("write");
        return WithStepSummary(report);
    }

    private Report WithStepSummary(Report report)
    {
        log.SetStepSummary(ReportMarkdown.Write(report, Summary));
        return report;
    }

    /// <summary>The observe step: DNS (or its replay), then probes and egress, then the live dumps; each observer's notes come back with what it saw.</summary>
    private async Task<Observed> ObserveAsync(PolicySet policies, CancellationToken cancellationToken)
    {
        var (dns, dnsNotes) = await ObserveDnsAsync(policies, cancellationToken).ConfigureAwait(false);
        // No server replied to anything: the run saw nothing of the estate, so it may not say that anything drifted,
        // resolved or went away (README "Where to run it"). Before the memory, the findings and any publishing.
        if (options.Observations is null && VantagePoint.NoServerAnswered(dns))
            throw new ReconcilerException(ExitCodes.RunFailed,
                $"no name server answered: {string.Join(", ", dns.Servers)} (every query timed out or was refused by the network); nothing was resolved, closed or published");
        var outbound = await ObserveOutboundAsync(policies, dns, cancellationToken).ConfigureAwait(false);
        if (options.GitHubHostedRunner)
            outbound = VantagePoint.OnGitHubHostedRunner(outbound);
        return new Observed(dns, new ObserverResult([], dnsNotes).And(outbound).And(ObserveLive(policies)));
    }

    /// <summary>Probes and egress: they ask the network as it is now, so a replay of old observations runs neither.</summary>
    private async Task<ObserverResult> ObserveOutboundAsync(PolicySet policies, ObservationSet observations, CancellationToken cancellationToken)
    {
        if (options.Observations is not null)
            return ObserverResult.Note("probes and egress were not run: this run replays observations");
        var outbound = new OutboundObserver(new HttpProber(ProbeTimeouts.Default), ResolveAsync);
        var probes = await outbound.ProbeAsync(policies, observations, cancellationToken).ConfigureAwait(false);
        // Egress is the run's, not a dependency's: one shard asks.
        return options.Shard.Index == 1 ? probes.And(await outbound.DiscoverEgressAsync(policies, cancellationToken).ConfigureAwait(false)) : probes;
    }

    private ObserverResult ObserveLive(PolicySet policies) =>
        options.Live is { } live ? LiveDrift.Compare(policies, ReadLiveDumps(live)) : ObserverResult.None;

    /// <summary>A host's A records at the run's name servers, for what the probes need beyond the dependencies' hosts.</summary>
    private async Task<IReadOnlyList<System.Net.IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var (servers, transport, _) = await NameServersAsync(cancellationToken).ConfigureAwait(false);
        using var client = new DnsLookupClient(transport);
        var lookup = await new HostResolver(client, TimeProvider.System).ResolveAsync(servers[0], host, Dns.Protocol.RecordType.A, cancellationToken).ConfigureAwait(false);
        return [.. lookup.Addresses.Select(a => a.Address)];
    }

    private static Dictionary<string, string> ReadLiveDumps(string directory)
    {
        if (!Directory.Exists(directory))
            throw ReconcilerException.InvalidArgument("live", $"directory '{directory}' does not exist");
        return Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
    }

    /// <summary>The servers of <c>--nameservers</c>, and the system's from resolv.conf when it says <c>system</c> or nothing.</summary>
    private async Task<(IReadOnlyList<NameServer> Servers, DnsTransportOptions Transport, IReadOnlyList<string> Notes)> NameServersAsync(CancellationToken cancellationToken)
    {
        if (!options.SystemNameservers)
            return (options.Nameservers, DnsTransportOptions.Default, []);
        var system = ResolvConf.Parse(File.Exists(ResolvConf.SystemPath) ? await File.ReadAllTextAsync(ResolvConf.SystemPath, cancellationToken).ConfigureAwait(false) : "");
        IReadOnlyList<NameServer> servers = [.. options.Nameservers, .. system.Servers];
        if (servers.Count == 0)
            throw new ReconcilerException(ExitCodes.InvalidInput, $"no name servers: give --nameservers=IP[:PORT], or list some in {ResolvConf.SystemPath}");
        // resolv.conf's timeout and attempts are the system's; they apply when its servers are asked.
        return (servers, system.Options, [.. system.Skipped.Select(skipped => $"{ResolvConf.SystemPath}: name server {skipped} was skipped (a link-local address with a zone cannot be used here)")]);
    }

    private async Task<(ObservationSet Observations, IReadOnlyList<string> Notes)> ObserveDnsAsync(PolicySet policies, CancellationToken cancellationToken)
    {
        if (options.Observations is { } replay)
        {
            try
            {
                // Read at once, not awaited: an awaited read's completion runs the rest of the run inside its own frame,
                // which holds the bytes read (8 MB for 10,000 dependencies) until the run next waits for something.
                var replayed = ObservationSet.FromJson(File.ReadAllBytes(replay));
                log.Information($"replaying {replayed.Observations.Count} observations from {replay} (no network)");
                return (replayed, []);
            }
            catch (Exception e) when (e is FormatException or IOException)
            {
                throw ReconcilerException.InvalidArgument("observations", $"cannot replay '{replay}': {e.Message}");
            }
        }

        var (servers, transport, notes) = await NameServersAsync(cancellationToken).ConfigureAwait(false);
        using var client = new DnsLookupClient(transport);
        var observer = new DnsObserver(new HostResolver(client, TimeProvider.System), TimeProvider.System);
        var hosts = policies.Dependencies.Sum(d => d.Hosts.Count);
        var pacing = DnsPacing.Of(hosts, policies.Settings.Samples, policies.Settings.DnsLookupsPerSecond);
        if (pacing.Expected >= DnsPacing.WorthSayingBefore)
            log.Information($"DNS: {pacing.Describe(servers.Count)}; expect about {DnsPacing.Format(pacing.Expected)}");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var observations = await observer.ObserveAsync(policies, servers, options.Now, _rotating, cancellationToken).ConfigureAwait(false);
        var failed = observations.Observations.Count(o => !o.Succeeded);
        log.Information($"DNS: {observations.Observations.Count:N0} lookups of {hosts:N0} hosts at {string.Join(", ", servers)} in {DnsPacing.Format(started.Elapsed)}, paced at {pacing.PerSecond:N0}/s per server (settings.dns_lookups_per_second); {failed:N0} failed");
        return (observations, notes);
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
        WriteReport(merged, new OutputFile("state.json", memory.WriteTo));
        log.Information($"merged {reports.Count} shard reports: {merged.Findings.Count} findings; and {states.Count} shard memories");
        return merged;
    }

    private void WriteReport(Report report, params OutputFile[] more)
    {
        var comparison = FindingsMemoryPath();
        var summary = Summary = RunSummary.Of(report, ChangePlan, RunSummary.ReadFingerprints(File.Exists(comparison) ? File.ReadAllText(comparison) : null));
        var written = ReportFiles.Write(report, options.Out, [OutputFile.Writer("report.md", w => ReportMarkdown.WriteTo(w, report, summary)), .. more]);
        AtomicFile.Write(comparison, RunSummary.FingerprintsJson(report));
        // Every finding at --verbosity=verbose; the grouped view always: a large estate's findings are thousands of lines.
        foreach (var finding in report.Findings.OrderByDescending(f => f.Severity))
            log.Verbose($"{finding.Severity.ToWire()} {finding.Kind.ToWire()} {finding.Dependency}{((finding.Allowlist ?? finding.PrefixSet) is { } where ? " in " + where : "")}: {finding.Message}");
        foreach (var line in summary.ConsoleText())
            log.Information(line);
        log.Information($"wrote {options.Out}/: {string.Join(", ", written.Select(Path.GetFileName))}{(ChangePlan is null ? "" : ", plan/")}");
        var blocking = report.Findings.Where(f => f.Severity >= options.FailOn).ToList();
        var failOn = options.FailOn.ToWire();
        if (blocking.Count > 0)
        {
            var kinds = blocking.GroupBy(f => f.Kind.ToWire()).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}");
            Raise(ExitCodes.FindingsAtOrAboveFailOn, $"{Count(blocking.Count, "finding", "findings")} at or above {failOn} ({string.Join(", ", kinds.Take(3))}{(blocking.GroupBy(f => f.Kind).Count() > 3 ? ", …" : "")})");
        }
        else if (ExitCode == ExitCodes.Ok)
        {
            var below = report.Findings.Count;
            ExitReason = below == 0 ? "no findings" : $"no findings at or above {failOn} ({below} below it)";
        }
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

    private void Raise(int code, string why)
    {
        if (code < ExitCode)
            return;
        ExitCode = code;
        ExitReason = why;
    }
}
