using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Reconciler.Publishing;

namespace Reconciler.Tests.Support;

/// <summary>
/// A stateful GitHub on loopback for the publishing lifecycle: one repository with blobs, trees, commits, refs,
/// pull requests, issues, comments and labels, behaving as GitHub does for the calls Reconciler makes (a PR's
/// head follows its branch; issues and PRs share numbers; lists page by <c>Link</c>). Every request is checked
/// against GitHub's OpenAPI description first and refused with 422 if it does not match (and recorded in
/// <see cref="Violations"/>). Faults can be scripted per request.
/// </summary>
internal sealed partial class FakeGitHub : IAsyncDisposable
{
    public const string Owner = "acme";
    public const string Name = "egress-policies";

    private readonly object _lock = new();
    private readonly string _token;
    private WebApplication? _app;
    private int _next = 1;
    private long _commentIds = 9000;

    public FakeGitHub(string token) => _token = token;

    public Uri Url { get; private set; } = null!;
    public string DefaultBranch { get; } = "main";
    /// <summary>Page size of list answers (GitHub's is at most 100; smaller exercises pagination).</summary>
    public int PageSize { get; set; } = 100;

    public Dictionary<string, string> Blobs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SortedDictionary<string, string>> Trees { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, FakeCommit> Commits { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Refs { get; } = new(StringComparer.Ordinal);
    public List<FakeItem> Items { get; } = [];
    public List<FakeRequest> Requests { get; } = [];
    public List<string> Violations { get; } = [];
    /// <summary>Answers to give instead of the real one: the first whose predicate matches is used and removed.</summary>
    public List<(Func<FakeRequest, bool> When, FakeAnswer Answer)> Faults { get; } = [];

    /// <summary>Adds a fault: the first request matching <paramref name="when"/> gets this status, JSON message and headers.</summary>
    public void FailOnce(Func<FakeRequest, bool> when, int status, string message, params (string Name, string Value)[] headers) =>
        Faults.Add((when, new FakeAnswer(status, message, headers)));

    /// <summary>Who may be asked to review and be assigned (GitHub: collaborators with access), and the organisation's teams with access.</summary>
    public HashSet<string> Collaborators { get; } = new(StringComparer.OrdinalIgnoreCase) { "alice", "bob", "carol" };
    public HashSet<string> Teams { get; } = new(StringComparer.OrdinalIgnoreCase) { "netops" };

    /// <summary>Whose token the bot holds: the author of what it creates, and what <c>GET /user</c> says.</summary>
    public string TokenLogin { get; set; } = "reconciler-bot";
    /// <summary>A GitHub App installation token (or Actions' GITHUB_TOKEN): <c>GET /user</c> is refused with 403, as on GitHub.</summary>
    public bool IntegrationToken { get; set; }

    public IEnumerable<FakeItem> PullRequests => Items.Where(i => i.IsPullRequest);
    public IEnumerable<FakeItem> Issues => Items.Where(i => !i.IsPullRequest);
    public int Writes => Requests.Count(r => r.Method != "GET");

    public static async Task<FakeGitHub> StartAsync(string token, IReadOnlyDictionary<string, string> files)
    {
        var fake = new FakeGitHub(token);
        fake.Refs["refs/heads/main"] = fake.Commit(fake.Tree(files), [], "initial policies", "alice");
        fake._app = await PartnerServers.StartAsync(IPAddress.Loopback, 0, fake.HandleAsync);
        fake.Url = new Uri($"http://127.0.0.1:{PartnerServers.PortOf(fake._app)}/");
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    // ---- what people do, between runs ----

    /// <summary>A person pushes a commit changing one file onto a branch.</summary>
    public string PushAsPerson(string branch, string path, string content, string message)
    {
        lock (_lock)
        {
            var head = Commits[Refs["refs/heads/" + branch]];
            var files = new Dictionary<string, string>(Trees[head.Tree].ToDictionary(e => e.Key, e => Blobs[e.Value]), StringComparer.Ordinal) { [path] = content };
            return Refs["refs/heads/" + branch] = Commit(Tree(files), [head.Sha], message, "bob");
        }
    }

    /// <summary>A person comments on an issue or pull request.</summary>
    public void CommentAsPerson(int number, string body, string author = "mallory")
    {
        lock (_lock)
            Items.Single(i => i.Number == number).Comments.Add(new FakeComment(++_commentIds, body, author));
    }

    /// <summary>A person opens a pull request from a new branch (for the review's comments).</summary>
    public int OpenPullRequestAsPerson(string branch, string title, string body = "Please review.", string author = "bob")
    {
        lock (_lock)
        {
            Refs["refs/heads/" + branch] = Refs["refs/heads/main"];
            var pr = new FakeItem(_next++, title, body, true) { HeadRef = branch, BaseRef = "main", Author = author };
            Items.Add(pr);
            return pr.Number;
        }
    }

    /// <summary>
    /// Someone opens a pull request from their fork's branch (any name, the bot's included): its head commit lives in
    /// the fork, and no branch of this repository moves.
    /// </summary>
    public int OpenForkPullRequest(string forkOwner, string branch, string title, string body)
    {
        lock (_lock)
        {
            var main = Commits[Refs["refs/heads/main"]];
            var head = Commit(main.Tree, [main.Sha], title, forkOwner);
            var pr = new FakeItem(_next++, title, body, true) { HeadRef = branch, BaseRef = "main", Author = forkOwner, HeadRepository = $"{forkOwner}/{Name}", LastHead = head };
            Items.Add(pr);
            return pr.Number;
        }
    }

    /// <summary>
    /// A person amends the head commit of a branch (changing one file) and force-pushes: message, trailer and author
    /// stay, the committer is the person, as <c>git commit --amend</c> does.
    /// </summary>
    public string AmendAsPerson(string branch, string path, string content, string committer = "bob")
    {
        lock (_lock)
        {
            var head = Commits[Refs["refs/heads/" + branch]];
            var files = new Dictionary<string, string>(Trees[head.Tree].ToDictionary(e => e.Key, e => Blobs[e.Value]), StringComparer.Ordinal) { [path] = content };
            return Refs["refs/heads/" + branch] = Commit(Tree(files), head.Parents, head.Message, head.Author, committer);
        }
    }

    /// <summary>A person opens an issue (with any body and labels, a copied marker included).</summary>
    public int OpenIssueAsPerson(string title, string body, IEnumerable<string> labels, string author = "mallory")
    {
        lock (_lock)
        {
            var issue = new FakeItem(_next++, title, body, false) { Author = author };
            issue.Labels.AddRange(labels);
            Items.Add(issue);
            return issue.Number;
        }
    }

    /// <summary>Merges a pull request the way "Rebase and merge" of one commit does: the default branch gets its tree.</summary>
    public void Merge(int number)
    {
        lock (_lock)
        {
            var pr = Items.Single(i => i.Number == number);
            var head = Commits[Refs["refs/heads/" + pr.HeadRef!]];
            Refs["refs/heads/main"] = Commit(head.Tree, [Refs["refs/heads/main"]], head.Message, "alice");
            pr.State = "closed";
            pr.MergedAt = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>A person edits an issue's or pull request's body in the web editor (which sends CRLF line ends).</summary>
    public void EditBodyAsPerson(int number, Func<string, string> edit)
    {
        lock (_lock)
        {
            var item = Items.Single(i => i.Number == number);
            item.Body = edit(item.Body ?? "").ReplaceLineEndings("\r\n");
        }
    }

    /// <summary>A person closes a pull request without merging it.</summary>
    public void CloseAsPerson(int number)
    {
        lock (_lock)
            Items.Single(i => i.Number == number).State = "closed";
    }

    public string FileOnBranch(string branch, string path)
    {
        lock (_lock)
            return Blobs[Trees[Commits[Refs["refs/heads/" + branch]].Tree][path]];
    }

    public IReadOnlyList<string> CommentsOn(int number)
    {
        lock (_lock)
            return [.. Items.Single(i => i.Number == number).Comments.Select(c => c.Body)];
    }

    // ---- git objects ----

    private string Tree(IReadOnlyDictionary<string, string> files)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, content) in files)
        {
            var sha = GitBlobs.Sha(content);
            Blobs[sha] = content;
            entries[path] = sha;
        }
        var treeSha = Sha1(string.Join('\n', entries.Select(e => $"{e.Key} {e.Value}")));
        Trees[treeSha] = entries;
        return treeSha;
    }

    private string Commit(string tree, IReadOnlyList<string> parents, string message, string author, string? committer = null)
    {
        var sha = Sha1($"{tree}\n{string.Join(',', parents)}\n{message}\n{author}\n{committer}\n{Commits.Count}");
        Commits[sha] = new FakeCommit(sha, tree, parents, message, author, committer);
        return sha;
    }

    private static string Sha1(string text) =>
#pragma warning disable CA5350 // git's object names, not security
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5350

    // ---- HTTP ----

    private async Task HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = raw.Split('?')[0];
        var query = raw.Contains('?', StringComparison.Ordinal) ? raw[raw.IndexOf('?', StringComparison.Ordinal)..] : "";
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var request = new FakeRequest(context.Request.Method, path, query, body, context.Request.Headers.Authorization.ToString(),
            context.Request.Headers["X-GitHub-Api-Version"].ToString(), context.Request.Headers.Accept.ToString());
        Func<FakeRequest, bool>? matched = null;
        FakeAnswer? fault = null;
        lock (_lock)
        {
            Requests.Add(request);
            foreach (var (when, answer) in Faults)
            {
                if (when(request))
                {
                    (matched, fault) = (when, answer);
                    break;
                }
            }
            if (matched is not null)
                Faults.RemoveAll(f => f.When == matched);
        }
        if (request.Authorization != "Bearer " + _token)
        {
            await Answer(context, 401, new JsonObject { ["message"] = "Bad credentials", ["documentation_url"] = "https://docs.github.com/rest" });
            return;
        }
        var (operation, violations) = GitHubOpenApi.Instance.Check(request.Method, path, query, body);
        if (violations.Count > 0 || request.ApiVersion != Reconciler.GitHub.GitHubConnection.ApiVersion)
        {
            lock (_lock)
                Violations.Add($"{request.Method} {path}{query}: {string.Join("; ", violations.DefaultIfEmpty("X-GitHub-Api-Version missing"))}");
            context.Response.Headers["sl-violations"] = string.Join("; ", violations); // where Prism puts them too
            await Answer(context, 422, new JsonObject { ["message"] = "Validation Failed (the OpenAPI description refuses this request)" });
            return;
        }
        if (fault is not null)
        {
            foreach (var (name, value) in fault.Headers)
                context.Response.Headers[name] = value;
            await Answer(context, fault.Status, Message(fault.Message));
            return;
        }
        (int Status, JsonNode? Json, string? Link) result;
        lock (_lock)
            result = Route(operation!, request, body.Length > 0 ? JsonNode.Parse(body)!.AsObject() : null);
        if (result.Link is not null)
            context.Response.Headers["Link"] = result.Link;
        await Answer(context, result.Status, result.Json);
    }

    private static async Task Answer(HttpContext context, int status, JsonNode? json)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ratelimit-limit"] = "5000";
        if (!context.Response.Headers.ContainsKey("x-ratelimit-remaining"))
            context.Response.Headers["x-ratelimit-remaining"] = "4999";
        if (json is null)
            return;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(json.ToJsonString());
    }

    private static JsonObject Message(string message) => new() { ["message"] = message };
}
