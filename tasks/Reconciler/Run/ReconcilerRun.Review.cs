using Reconciler.Diagnostics;
using Reconciler.GitHub;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Providers;
using Reconciler.Reports;
using Reconciler.Review;

namespace Reconciler.Run;

/// <summary>Review: a pull request's policy changes judged against <c>--base</c>, and its sticky comment.</summary>
public sealed partial class ReconcilerRun
{
    /// <summary>
    /// Compares the policies at <c>--base</c> (read from git objects, no checkout) with the working tree, observes the
    /// dependencies whose rules changed, and judges only what changed. Writes report.json, report.md, review.md and
    /// report.sarif. Invalid policies are reported the same way (and exit 2) rather than stopping the review.
    /// </summary>
    public async Task<ReviewResult> ReviewAsync(IPolicyHistory? history = null, CancellationToken cancellationToken = default)
    {
        var notes = new List<string>();
        var (commit, sources) = await (history ?? new GitPolicyHistory(options.Policies)).ReadAsync(options.Base, cancellationToken).ConfigureAwait(false);
        PolicySet? before = null;
        if (sources.Count > 0)
        {
            var parsed = PolicyParser.Parse(sources);
            before = parsed.Policies;
            if (!parsed.IsValid)
                notes.Add($"the policies at {options.Base} do not validate ({parsed.Errors[0]}); every rule is judged as new");
        }
        else
        {
            notes.Add($"there are no policies at {options.Base}; every rule is judged as new");
        }
        var folder = RepositoryPathOf(options.Policies);
        var loaded = PolicyDirectory.Load(options.Policies);
        if (!loaded.IsValid)
        {
            foreach (var error in loaded.Errors)
                log.Error(error.ToString());
            var invalid = new ReviewResult(folder, options.Base, commit, new PolicyChanges([], []), [], loaded.Errors, notes, options.FailOn);
            WriteReview(invalid, new Report { Run = RunInfo(null), Findings = [], Notes = [.. notes, .. loaded.Errors.Select(e => e.ToString())] }, RepositoryPathOf);
            return invalid;
        }
        var after = loaded.Policies!;
        var changes = PolicyChanges.Compare(before, after);
        var judged = after.Only(changes.Dependencies.Contains);
        var (observations, dnsNotes) = changes.IsEmpty ? (ObservationSet.Empty(options.Now), []) : await Observer().Dns.ObserveAsync(judged, NoneRotate, cancellationToken).ConfigureAwait(false);
        notes.AddRange(dnsNotes);
        foreach (var failed in observations.Observations.Where(o => !o.Succeeded).Select(o => o.Host).Distinct(StringComparer.OrdinalIgnoreCase))
            notes.Add($"{failed} did not resolve ({observations.Observations.First(o => o.Host == failed && !o.Succeeded).Outcome}); changes that depend on it were not judged by DNS");
        var memory = await ReviewMemoryAsync(observations, notes, cancellationToken).ConfigureAwait(false);
        var findings = Reviewer.Judge(after, changes, observations, Providers(), memory, options.Now, before);
        var review = new ReviewResult(folder, options.Base, commit, changes, findings, [], notes, options.FailOn);
        WriteReview(review, new Report { Run = RunInfo(after), Findings = findings, Notes = notes }, RepositoryPathOf);
        log.Information($"reviewed {changes.Admissions.Count} admission changes, {changes.TouchedRules.Count} written rules and {changes.Widenings.Count} other widenings against {options.Base}: {findings.Count} findings");
        return review;
    }

    /// <summary>
    /// Review as its target runs it: judge the change (<see cref="ReviewAsync"/>), show it to the job (annotations at
    /// the lines, the comment as the step summary), then post it as the pull request's sticky comment.
    /// </summary>
    /// <param name="token">GITHUB_TOKEN, for the comment only; without one the review is in the files, the summary and the annotations.</param>
    public async Task<ReviewResult> ReviewPullRequestAsync(string? token, CancellationToken cancellationToken = default)
    {
        var review = await ReviewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        log.Annotate(Annotations.For(review, RepositoryPathOf));
        log.SetStepSummary(ReviewComment.Render(review, RepositoryPathOf));
        await CommentOnPullRequestAsync(review, token, cancellationToken).ConfigureAwait(false);
        return review;
    }

    /// <summary>
    /// Plan's drift memory (<c>--state</c>; in CI the state branch's copy), read only: Review judges a rotating pool by
    /// every address seen within stale_after, not by one moment's answers. Review never writes it.
    /// </summary>
    private async Task<DriftMemory?> ReviewMemoryAsync(ObservationSet observations, List<string> notes, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.StatePath))
        {
            notes.Add("no drift memory (--state): removals are judged by this run's DNS answers only, and a rotating pool may answer otherwise next time");
            return null;
        }
        var (memory, problem) = DriftMemory.FromJson(await File.ReadAllTextAsync(options.StatePath, cancellationToken).ConfigureAwait(false));
        if (problem is not null)
        {
            notes.Add($"{options.StatePath}: {problem}; removals are judged by this run's DNS answers only");
            return null;
        }
        log.Information($"judging by the addresses seen within stale_after ({options.StatePath}) and this run's answers");
        return memory.Remember(observations, options.Now);
    }

    /// <summary>A policy file's path from the root of its git repository (what GitHub annotations and SARIF name).</summary>
    public string RepositoryPathOf(string displayPath)
    {
        var root = PolicyDirectory.RepositoryRoot(Path.GetFullPath(options.Policies));
        return root is null ? displayPath : Path.GetRelativePath(root, Path.GetFullPath(displayPath)).Replace('\\', '/');
    }

    /// <summary>Writes the review's files and decides the run's exit by it.</summary>
    private void WriteReview(ReviewResult review, Report report, Func<string, string> repositoryPath)
    {
        WriteReport(report, null, OutputFile.Text("review.md", ReviewComment.Render(review, repositoryPath)), Sarif.File(report, repositoryPath));
        Exit = ExitDecision.Of(review);
    }

    /// <summary>Review asks each changed host as often as settings.samples says: without the memory's view, no pool is known to rotate.</summary>
    private static readonly IReadOnlySet<string> NoneRotate = new HashSet<string>();

    /// <summary>
    /// Posts the review as the pull request's one sticky comment. A read-only token (a fork's pull request) or any
    /// GitHub failure is a warning, not a failed review: the summary and annotations still carry it.
    /// </summary>
    public async Task CommentOnPullRequestAsync(ReviewResult review, string? token, CancellationToken cancellationToken = default)
    {
        if (options.PullRequest is not { } number || string.IsNullOrEmpty(token) || options.Repository is null)
        {
            log.Information("no pull request to comment on (needs GITHUB_TOKEN, --repository and --pull-request or a pull_request event); the review is in " + Path.Combine(options.Out, "review.md"));
            return;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var github = NewGitHubClient(http, token);
        try
        {
            var login = await BotLoginAsync(github, cancellationToken).ConfigureAwait(false);
            log.Information(await StickyComment.UpsertAsync(new GitHubForge(github), login, number, ReviewComment.Render(review, RepositoryPathOf), cancellationToken).ConfigureAwait(false));
        }
        catch (GitHubApiException e)
        {
            log.Warning($"the review could not be posted on #{number} ({e.Message}); a pull request from a fork gets a read-only token, so the job summary and annotations carry the review");
        }
        catch (ReconcilerException e) when (e.ExitCode == ExitCodes.InvalidInput)
        {
            // The token cannot say whose it is: without knowing its own comment the bot edits none.
            log.Warning($"the review could not be posted on #{number}: {e.Message}");
        }
    }
}
