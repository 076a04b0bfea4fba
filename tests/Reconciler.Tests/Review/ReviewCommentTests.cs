using Reconciler.Tests.Support;

namespace Reconciler.Tests.Review;

/// <summary>The review's sticky comment against the fake GitHub: one comment, edited in place on every push.</summary>
public sealed class ReviewCommentTests
{
    [Fact]
    public async Task Each_push_edits_the_one_review_comment_and_an_unchanged_review_writes_nothing()
    {
        using var world = new ReviewWorld();
        await using var github = await FakeGitHub.StartAsync("ghs_review", new Dictionary<string, string> { ["policies/apps.yaml"] = ReviewWorld.BasePolicy });
        var number = github.OpenPullRequestAsPerson("admit-billing", "Admit billing's second address");

        world.Edit(p => p.Replace("[198.51.100.7]", "[198.51.100.7, 203.0.113.99]", StringComparison.Ordinal));
        using (await CommentAsync(world, github, number)) { }
        var first = Assert.Single(github.CommentsOn(number));
        Assert.Contains("address-not-resolved", first, StringComparison.Ordinal);

        world.Edit(p => p.Replace("203.0.113.99", "198.51.100.8", StringComparison.Ordinal)); // the next push fixes it
        using (await CommentAsync(world, github, number)) { }
        var second = Assert.Single(github.CommentsOn(number));
        Assert.Contains("**No findings.**", second, StringComparison.Ordinal);

        var writes = github.Writes;
        using (await CommentAsync(world, github, number)) { }
        Assert.Equal(writes, github.Writes);
        Assert.Single(github.CommentsOn(number));
        Assert.Empty(github.Violations);
    }

    [Fact]
    public async Task A_comment_someone_else_wrote_is_never_edited_whatever_marker_it_carries()
    {
        using var world = new ReviewWorld();
        await using var github = await FakeGitHub.StartAsync("ghs_review", new Dictionary<string, string> { ["policies/apps.yaml"] = ReviewWorld.BasePolicy });
        var number = github.OpenPullRequestAsPerson("admit-billing", "Admit billing's second address");
        var planted = $"LGTM, nothing to see here {Reconciler.Review.ReviewComment.Marker}";
        github.CommentAsPerson(number, planted, author: "mallory");

        world.Edit(p => p.Replace("[198.51.100.7]", "[198.51.100.7, 203.0.113.99]", StringComparison.Ordinal));
        using (await CommentAsync(world, github, number)) { }
        var comments = github.CommentsOn(number);
        Assert.Equal(2, comments.Count);
        Assert.Equal(planted, comments[0]); // the person's words, untouched
        Assert.Contains("address-not-resolved", comments[1], StringComparison.Ordinal);

        // Positive control: the bot's own comment is the one edited on the next push, and no third comment appears.
        world.Edit(p => p.Replace("203.0.113.99", "198.51.100.8", StringComparison.Ordinal));
        using (await CommentAsync(world, github, number)) { }
        comments = github.CommentsOn(number);
        Assert.Equal(2, comments.Count);
        Assert.Equal(planted, comments[0]);
        Assert.Contains("**No findings.**", comments[1], StringComparison.Ordinal);
        Assert.Empty(github.Violations);
    }

    [Fact]
    public async Task A_read_only_token_as_on_a_forks_pull_request_still_reviews_and_says_why_there_is_no_comment()
    {
        using var world = new ReviewWorld();
        await using var github = await FakeGitHub.StartAsync("ghs_review", new Dictionary<string, string> { ["policies/apps.yaml"] = ReviewWorld.BasePolicy });
        var number = github.OpenPullRequestAsPerson("from-a-fork", "Remove an address");
        github.FailOnce(r => r.Method == "POST", 403, "Resource not accessible by integration");
        world.Edit(p => p.Replace("[192.0.2.10, 192.0.2.11]", "[192.0.2.10]", StringComparison.Ordinal));

        var run = await CommentAsync(world, github, number);
        using var _ = run;

        Assert.Empty(github.CommentsOn(number));
        Assert.Contains(world.Log.Lines, l => l.Contains("read-only token", StringComparison.Ordinal) && l.Contains("Resource not accessible", StringComparison.Ordinal));
        Assert.Equal(1, run.Exit.Code); // the review itself still fails the check for its blocking finding
    }

    private static async Task<Reconciler.Run.ReconcilerRun> CommentAsync(ReviewWorld world, FakeGitHub github, int number)
    {
        var (run, review) = await world.ReviewAsync(github.Url.AbsoluteUri, number);
        await run.CommentOnPullRequestAsync(review, "ghs_review");
        return run;
    }
}
