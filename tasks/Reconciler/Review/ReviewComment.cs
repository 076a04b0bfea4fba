using System.Text;
using Reconciler.Files;
using Reconciler.Diagnostics;
using Reconciler.Findings;

namespace Reconciler.Review;

/// <summary>
/// The review as people read it: the sticky pull-request comment, also the job summary. It holds no time or run
/// number, so a push that changes nothing in the review leaves the comment as it is.
/// </summary>
public static class ReviewComment
{
    public const string Marker = "<!-- reconciler:review -->";

    /// <param name="repositoryPath">A policy file's path from the repository root, as the pull request shows it.</param>
    public static string Render(ReviewResult review, Func<string, string> repositoryPath)
    {
        string Where(Diagnostics.SourceLocation? at) => at is null ? "" : Markdown.CodeCell($"{repositoryPath(at.File)}:{at.Line}:{at.Column}");
        var body = new StringBuilder();
        body.AppendLine(Marker);
        body.AppendLine("### Reconciler review").AppendLine();
        var added = review.Changes.Admissions.Count(a => a.Added);
        var removed = review.Changes.Admissions.Count - added;
        body.AppendLine($"Compared {Markdown.Code(review.PoliciesFolder)} at {Markdown.Code(review.Base)} ({review.BaseCommit[..Math.Min(7, review.BaseCommit.Length)]}) with this pull request: " +
            $"{Count(added, "admission")} added, {Count(removed, "admission")} removed, {Count(review.Changes.TouchedRules.Count, "rule")} written or rewritten" +
            (review.Changes.Widenings.Count == 0 ? "." : $", {Count(review.Changes.Widenings.Count, "other widening")} (ports, hosts, track, pins, ignore entries, settings).")).AppendLine();

        if (review.Errors.Count > 0)
        {
            body.AppendLine($"**The policies do not validate** ({Count(review.Errors.Count, "error")}); nothing else was judged:").AppendLine();
            foreach (var error in review.Errors)
                body.AppendLine($"- {Where(error.Location)}: {Markdown.Cell(error.Message)}");
            return body.ToString();
        }
        if (review.Findings.Count == 0)
        {
            body.AppendLine(review.Changes.IsEmpty ? "Nothing in the allowlists changes." : "**No findings.** Every added address is one its dependency resolves to (or in its provider's published ranges), no removal cuts traffic DNS still sends, and every new rule says why.").AppendLine();
        }
        else
        {
            var blocking = review.Findings.Count(f => f.Severity >= review.FailOn);
            body.AppendLine(blocking > 0
                ? $"**{Count(blocking, "blocking finding")}** (at or above `{review.FailOn.ToWire()}`): the check fails until {(blocking == 1 ? "it is" : "they are")} fixed."
                : $"No blocking findings (none at or above `{review.FailOn.ToWire()}`).").AppendLine();
            body.AppendLine("| severity | finding | where |").AppendLine("| --- | --- | --- |");
            foreach (var finding in Ordered(review.Findings))
                body.AppendLine($"| {finding.Severity.ToWire()} | `{finding.Kind.ToWire()}` {Markdown.Cell(finding.Message)} | {Where(finding.Location)} |");
            body.AppendLine();
        }
        if (!review.Changes.IsEmpty)
        {
            body.AppendLine("<details><summary>What the allowlists admit after this change</summary>").AppendLine();
            foreach (var group in review.Changes.Admissions.GroupBy(a => (a.Allowlist, a.Dependency)))
            {
                var plus = group.Where(a => a.Added).Select(a => Markdown.Code(a.Subject)).ToList();
                var minus = group.Where(a => !a.Added).Select(a => Markdown.Code(a.Subject)).ToList();
                var parts = new List<string>();
                if (plus.Count > 0)
                    parts.Add("admits " + string.Join(", ", plus));
                if (minus.Count > 0)
                    parts.Add("stops admitting " + string.Join(", ", minus));
                body.AppendLine($"- {Markdown.Code(group.Key.Allowlist)} for {Markdown.Code(group.Key.Dependency)}: {string.Join("; ", parts)}");
            }
            foreach (var widening in review.Changes.Widenings)
                body.AppendLine($"- {widening.Describe()}");
            body.AppendLine().AppendLine("</details>").AppendLine();
        }
        foreach (var note in review.Notes)
            body.AppendLine($"> {Markdown.Text(note)}").AppendLine();
        return body.ToString().TrimEnd('\n') + "\n";
    }

    public static IEnumerable<Finding> Ordered(IEnumerable<Finding> findings) =>
        findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Location?.File, StringComparer.Ordinal).ThenBy(f => f.Location?.Line).ThenBy(f => f.Kind);

    private static string Count(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

}

/// <summary>Everything a review found, for the comment, the summary, the annotations, SARIF and the exit code.</summary>
public sealed record ReviewResult(
    string PoliciesFolder,
    string Base,
    string BaseCommit,
    PolicyChanges Changes,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<PolicyError> Errors,
    IReadOnlyList<string> Notes,
    Severity FailOn);
