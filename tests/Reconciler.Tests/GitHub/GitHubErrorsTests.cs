using System.Net;
using System.Net.Http.Headers;
using Reconciler.GitHub;

namespace Reconciler.Tests.GitHub;

/// <summary>The typed-exception table: what each GitHub answer becomes, and so whether it is retried.</summary>
public sealed class GitHubErrorsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<int, string, string, string> Answers => new()
    {
        { 401, "", """{"message":"Bad credentials"}""", nameof(GitHubAuthorizationException) },
        { 403, "", """{"message":"Resource not accessible by integration"}""", nameof(GitHubForbiddenException) },
        { 403, "x-ratelimit-remaining: 0; x-ratelimit-reset: 1795000000", """{"message":"API rate limit exceeded"}""", nameof(GitHubRateLimitException) },
        { 403, "retry-after: 30", """{"message":"You have exceeded a secondary rate limit"}""", nameof(GitHubRateLimitException) },
        { 429, "", """{"message":"Too many requests"}""", nameof(GitHubRateLimitException) },
        { 404, "", """{"message":"Not Found"}""", nameof(GitHubNotFoundException) },
        { 409, "", """{"message":"Git Repository is empty."}""", nameof(GitHubValidationException) },
        { 422, "", """{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists"}]}""", nameof(GitHubValidationException) },
        { 500, "", "<html>oops</html>", nameof(GitHubServerException) },
        { 502, "", "", nameof(GitHubServerException) },
        { 418, "", """{"message":"I'm a teapot"}""", nameof(GitHubApiException) },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Each_answer_becomes_its_exception(int status, string headers, string body, string expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var header in headers.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            response.Headers.TryAddWithoutValidation(header.Split(':')[0], header.Split(':', 2)[1].Trim());

        var error = GitHubErrors.From(response.StatusCode, response.Headers, "POST /repos/o/r/pulls", body, Now);

        Assert.Equal(expected, error.GetType().Name);
        Assert.Equal(Diagnostics.ExitCodes.RunFailed, error.ExitCode);
        Assert.StartsWith($"GitHub: POST /repos/o/r/pulls answered {status} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secondary_limit_says_how_long_to_wait_and_a_primary_one_when_it_resets()
    {
        using var secondary = new HttpResponseMessage(HttpStatusCode.Forbidden);
        secondary.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
        var wait = Assert.IsType<GitHubRateLimitException>(GitHubErrors.From(secondary.StatusCode, secondary.Headers, "GET /x", "{}", Now));
        Assert.True(wait.Secondary);
        Assert.Equal(TimeSpan.FromSeconds(30), wait.RetryAfter);

        using var primary = new HttpResponseMessage(HttpStatusCode.Forbidden);
        primary.Headers.TryAddWithoutValidation("x-ratelimit-remaining", "0");
        primary.Headers.TryAddWithoutValidation("x-ratelimit-reset", "1795000000");
        var exhausted = Assert.IsType<GitHubRateLimitException>(GitHubErrors.From(primary.StatusCode, primary.Headers, "GET /x", """{"message":"API rate limit exceeded"}""", Now));
        Assert.False(exhausted.Secondary);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795000000), exhausted.Reset);
        Assert.Contains("resets at 2026-11-18", exhausted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_validation_failure_names_what_github_refused()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.UnprocessableEntity);
        var error = Assert.IsType<GitHubValidationException>(GitHubErrors.From(response.StatusCode, response.Headers, "POST /x",
            """{"message":"Validation Failed","errors":[{"resource":"PullRequest","field":"head","code":"invalid"}]}""", Now));
        Assert.Equal("resource=PullRequest field=head code=invalid", error.Details);
    }
}
