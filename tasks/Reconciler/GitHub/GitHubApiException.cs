using System.Net;
using Reconciler.Diagnostics;

namespace Reconciler.GitHub;

/// <summary>
/// GitHub refused or failed a request. The message names the request (method and path) and GitHub's own
/// words; it never holds a header, so the token cannot leak through it. Exit code 3: the run itself failed.
/// </summary>
public class GitHubApiException(HttpStatusCode status, string request, string message, Exception? inner = null)
    : ReconcilerException(ExitCodes.RunFailed, $"GitHub: {request} answered {(int)status} {status}: {message}", inner)
{
    public HttpStatusCode Status { get; } = status;
    public string Request { get; } = request;
}

/// <summary>401: the token is missing, wrong or expired.</summary>
public sealed class GitHubAuthorizationException(HttpStatusCode status, string request, string message)
    : GitHubApiException(status, request, message + " (check GITHUB_TOKEN)");

/// <summary>403 without a rate limit: the token lacks a permission (e.g. <c>pull-requests: write</c>), or a fork's read-only token.</summary>
public sealed class GitHubForbiddenException(HttpStatusCode status, string request, string message)
    : GitHubApiException(status, request, message + " (does the token have contents, pull-requests and issues write?)");

/// <summary>404: also what GitHub answers for a private repository the token cannot see.</summary>
public sealed class GitHubNotFoundException(HttpStatusCode status, string request, string message)
    : GitHubApiException(status, request, message);

/// <summary>422 (or 409 for a ref that moved): the request was understood and refused; <see cref="Details"/> says why.</summary>
public sealed class GitHubValidationException(HttpStatusCode status, string request, string message, string details)
    : GitHubApiException(status, request, details.Length == 0 ? message : $"{message} ({details})")
{
    public string Details { get; } = details;
}

/// <summary>
/// 403/429 from a rate limit. <see cref="Secondary"/> limits (abuse detection) are retried after
/// <see cref="RetryAfter"/>; an exhausted primary limit ends the run rather than wait up to an hour.
/// </summary>
public sealed class GitHubRateLimitException(HttpStatusCode status, string request, string message, bool secondary, TimeSpan? retryAfter, DateTimeOffset? reset)
    : GitHubApiException(status, request, message + (reset is { } r ? $" (the limit resets at {r:yyyy-MM-dd HH:mm:ss}Z)" : ""))
{
    public bool Secondary { get; } = secondary;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public DateTimeOffset? Reset { get; } = reset;
}

/// <summary>5xx: GitHub had a problem; retried with backoff.</summary>
public sealed class GitHubServerException(HttpStatusCode status, string request, string message)
    : GitHubApiException(status, request, message);
