using System.Text.Json;
using Reconciler.GitHub;

namespace Reconciler.Review;

/// <summary>
/// The review's one comment on a pull request: found by its marker and edited in place on every push, created only
/// the first time, left alone when the review says the same.
/// </summary>
public static class StickyComment
{
    public static async Task<string> UpsertAsync(IssuesClient issues, int pullRequest, string body, CancellationToken cancellationToken)
    {
        var comments = await issues.ListCommentsAsync(pullRequest, cancellationToken).ConfigureAwait(false);
        var mine = comments.FirstOrDefault(c => c.Body?.Contains(ReviewComment.Marker, StringComparison.Ordinal) == true);
        if (mine is null)
        {
            var created = await issues.CommentAsync(pullRequest, body, cancellationToken).ConfigureAwait(false);
            return $"commented on #{pullRequest}: {created.HtmlUrl}";
        }
        if (mine.Body!.ReplaceLineEndings("\n") == body)
            return $"the review comment on #{pullRequest} already says this: {mine.HtmlUrl}";
        await issues.UpdateCommentAsync(mine.Id, body, cancellationToken).ConfigureAwait(false);
        return $"updated the review comment on #{pullRequest}: {mine.HtmlUrl}";
    }

    /// <summary>The pull request a GitHub Actions run is for, from its event file (<c>GITHUB_EVENT_PATH</c>); null for other events.</summary>
    public static int? PullRequestOfEvent(string? eventPath)
    {
        if (string.IsNullOrEmpty(eventPath) || !File.Exists(eventPath))
            return null;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(eventPath));
            return json.RootElement.TryGetProperty("pull_request", out var pr) && pr.TryGetProperty("number", out var number) && number.TryGetInt32(out var n) ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
