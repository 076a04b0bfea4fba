using System.Text.Json;
using Reconciler.Publishing;

namespace Reconciler.Review;

/// <summary>
/// The review's one comment on a pull request: the bot's own comment carrying the marker, edited in place on every
/// push, created only the first time, left alone when the review says the same. A comment someone else wrote is
/// never edited, whatever it carries: a token that may edit any comment must not be steered into rewriting a
/// person's words (README "Only its own").
/// </summary>
public static class StickyComment
{
    /// <param name="login">The bot's own account: only its comments are its own.</param>
    public static async Task<string> UpsertAsync(IForge forge, string login, int pullRequest, string body, CancellationToken cancellationToken)
    {
        var comments = await forge.ListPullRequestCommentsAsync(pullRequest, cancellationToken).ConfigureAwait(false);
        var mine = comments.FirstOrDefault(c => c.Author.Equals(login, StringComparison.OrdinalIgnoreCase) && c.Body?.Contains(ReviewComment.Marker, StringComparison.Ordinal) == true);
        if (mine is null)
        {
            var created = await forge.AddPullRequestCommentAsync(pullRequest, body, cancellationToken).ConfigureAwait(false);
            return $"commented on #{pullRequest}: {created.Url}";
        }
        if (mine.Body!.ReplaceLineEndings("\n") == body)
            return $"the review comment on #{pullRequest} already says this: {mine.Url}";
        await forge.UpdateCommentAsync(mine, body, cancellationToken).ConfigureAwait(false);
        return $"updated the review comment on #{pullRequest}: {mine.Url}";
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
