using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Polly.Retry;
using Polly;

namespace Reconciler.GitHub;

/// <summary>How patient the connection is: retries on 5xx, network errors and secondary rate limits only.</summary>
public sealed record GitHubRetryOptions
{
    public static GitHubRetryOptions Default { get; } = new();
    public int MaxRetries { get; init; } = 3;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>A secondary limit asking for a longer wait than this ends the run instead (the next scheduled run finishes the job).</summary>
    public TimeSpan LongestRetryAfter { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// The one place that speaks HTTP to GitHub: headers (token, API version, user agent), JSON both ways, status to a
/// typed exception, retries with backoff, pagination by <c>Link</c>. Area clients build paths and models on it.
/// </summary>
public sealed class GitHubConnection
{
    public const string ApiVersion = "2022-11-28";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly string _token;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;
    private readonly GitHubWritePacer _pacer;
    private readonly int _retries;
    private int _reads;
    private int _writes;

    /// <param name="apiBase">https://api.github.com, or a GitHub Enterprise Server's https://HOST/api/v3.</param>
    /// <param name="pacer">Paces writes under GitHub's secondary limits; by default at GitHub's documented rates.</param>
    public GitHubConnection(HttpClient http, Uri apiBase, string token, TimeProvider? time = null, GitHubRetryOptions? retry = null, GitHubWritePacer? pacer = null)
    {
        _http = http;
        _base = apiBase.AbsoluteUri.EndsWith('/') ? apiBase : new Uri(apiBase.AbsoluteUri + "/");
        _token = token;
        _time = time ?? TimeProvider.System;
        _retries = (retry ?? GitHubRetryOptions.Default).MaxRetries;
        _retry = Pipeline(retry ?? GitHubRetryOptions.Default, _time);
        _pacer = pacer ?? new GitHubWritePacer(_time);
    }

    public Uri ApiBase => _base;

    /// <summary>HTTP requests sent so far that only read (GET), and those that write; retries count.</summary>
    public (int Reads, int Writes) Calls => (_reads, _writes);

    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Get, new Uri(_base, path), null, cancellationToken);

    /// <summary>Every page of a list, following <c>Link: rel="next"</c> (only within the API's own address, so the token goes nowhere else).</summary>
    /// <param name="paged">Whether the operation takes <c>per_page</c> (most lists; not matching-refs, which answers all at once).</param>
    public async Task<IReadOnlyList<T>> GetAllAsync<T>(string path, CancellationToken cancellationToken, bool paged = true)
    {
        var all = new List<T>();
        Uri? next = new(_base, paged ? path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "per_page=100" : path);
        while (next is not null)
        {
            var (page, link) = await ExchangeAsync<List<T>>(HttpMethod.Get, next, null, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            next = NextPage(link);
        }
        return all;
    }

    public Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(method, new Uri(_base, path), body, cancellationToken);

    public Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<JsonElement?>(method, new Uri(_base, path), body, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, Uri uri, object? body, CancellationToken cancellationToken) =>
        (await ExchangeAsync<T>(method, uri, body, cancellationToken).ConfigureAwait(false)).Value;

    private async Task<(T Value, string? Link)> ExchangeAsync<T>(HttpMethod method, Uri uri, object? body, CancellationToken cancellationToken)
    {
        var request = $"{method} {uri.AbsolutePath}";
        try
        {
            return await SendWithRetriesAsync<T>(method, uri, body, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            // Unreachable or silent after every retry. The message names the request, never its headers.
            throw new Diagnostics.ReconcilerException(Diagnostics.ExitCodes.RunFailed, $"GitHub: {request} at {uri.Host} failed after {_retries} retries: {e.Message}", e);
        }
    }

    private async Task<(T Value, string? Link)> SendWithRetriesAsync<T>(HttpMethod method, Uri uri, object? body, string request, CancellationToken cancellationToken)
    {
        return await _retry.ExecuteAsync(async token =>
        {
            if (method != HttpMethod.Get)
                await _pacer.WaitAsync(token).ConfigureAwait(false);   // every attempt of a write counts against the limit
            using var message = new HttpRequestMessage(method, uri);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            // The spec's media type: GitHub answers it as it does vnd.github+json, and so does a validating mock of the spec.
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            message.Headers.Add("X-GitHub-Api-Version", ApiVersion);
            message.Headers.UserAgent.ParseAdd(Diagnostics.ToolIdentity.UserAgent);
            if (body is not null)
                message.Content = JsonContent.Create(body, body.GetType(), options: Json);
            if (method == HttpMethod.Get)
                Interlocked.Increment(ref _reads);
            else
                Interlocked.Increment(ref _writes);

            HttpResponseMessage sent;
            try
            {
                sent = await _http.SendAsync(message, token).ConfigureAwait(false);
            }
            catch (TaskCanceledException e) when (!token.IsCancellationRequested)
            {
                throw new TimeoutException($"no answer within {_http.Timeout.TotalSeconds:0} s", e);
            }
            using var response = sent;
            var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw GitHubErrors.From(response.StatusCode, response.Headers, request, text, _time.GetUtcNow());
            var link = response.Headers.TryGetValues("Link", out var links) ? string.Join(",", links) : null;
            if (response.StatusCode == HttpStatusCode.NoContent || text.Length == 0)
                return (default(T)!, link);
            try
            {
                return (JsonSerializer.Deserialize<T>(text, Json)!, link);
            }
            catch (JsonException e)
            {
                throw new GitHubApiException(response.StatusCode, request, $"the answer is not the JSON expected ({e.Message})", e);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private Uri? NextPage(string? link)
    {
        if (link is null)
            return null;
        foreach (var part in link.Split(','))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            if (pieces.Length < 2 || !pieces.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) == "rel=\"next\""))
                continue;
            var next = new Uri(pieces[0].Trim('<', '>'));
            if (!_base.IsBaseOf(next))
                throw new GitHubApiException(HttpStatusCode.OK, "pagination", $"the next page is outside {_base} ({next.Host}); not following it with the token");
            return next;
        }
        return null;
    }

    private static ResiliencePipeline Pipeline(GitHubRetryOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetries == 0)
            return builder.Build();
        return builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseDelay,
            ShouldHandle = new PredicateBuilder()
                .Handle<GitHubServerException>()
                .Handle<HttpRequestException>()
                .Handle<TimeoutException>()
                .Handle<GitHubRateLimitException>(e => e.Secondary && (e.RetryAfter ?? TimeSpan.Zero) <= options.LongestRetryAfter),
            // A secondary limit says how long to wait; honour it rather than our own backoff.
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is GitHubRateLimitException { RetryAfter: { } after } ? after : (TimeSpan?)null),
        }).Build();
    }
}
