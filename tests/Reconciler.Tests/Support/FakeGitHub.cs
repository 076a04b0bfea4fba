using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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

    /// <summary>A person opens a pull request from a new branch (for the review's comments).</summary>
    public int OpenPullRequestAsPerson(string branch, string title)
    {
        lock (_lock)
        {
            Refs["refs/heads/" + branch] = Refs["refs/heads/main"];
            var pr = new FakeItem(_next++, title, "Please review.", true) { HeadRef = branch, BaseRef = "main" };
            Items.Add(pr);
            return pr.Number;
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

    private string Commit(string tree, IReadOnlyList<string> parents, string message, string author)
    {
        var sha = Sha1($"{tree}\n{string.Join(',', parents)}\n{message}\n{author}\n{Commits.Count}");
        Commits[sha] = new FakeCommit(sha, tree, parents, message, author);
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

    private (int, JsonNode?, string?) Route(string operation, FakeRequest request, JsonObject? body)
    {
        var parts = request.Path.Split('/').Select(Uri.UnescapeDataString).ToArray(); // "", repos, owner, name, …
        if (parts[2] != Owner || parts[3] != Name)
            return (404, Message("Not Found"), null);
        var query = request.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(q => q.Split('=', 2))
            .ToDictionary(q => q[0], q => Uri.UnescapeDataString(q.Length > 1 ? q[1] : ""), StringComparer.Ordinal);
        string Arg(string name) => body![name]!.GetValue<string>();
        switch (operation)
        {
            case "repos/get":
                return (200, new JsonObject { ["id"] = 1, ["name"] = Name, ["full_name"] = $"{Owner}/{Name}", ["default_branch"] = DefaultBranch, ["private"] = true }, null);
            case "git/get-ref":
                return Refs.TryGetValue("refs/" + parts[^1], out var at) ? (200, RefJson("refs/" + parts[^1], at), null) : (404, Message("Not Found"), null);
            case "git/list-matching-refs":
                // Not paginated on GitHub: every matching ref in one answer.
                return (200, new JsonArray([.. Refs.Where(r => r.Key.StartsWith("refs/" + parts[^1], StringComparison.Ordinal)).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (JsonNode)RefJson(r.Key, r.Value))]), null);
            case "git/create-ref":
            {
                var name = Arg("ref");
                if (Refs.ContainsKey(name))
                    return (422, Message("Reference already exists"), null);
                if (!Commits.ContainsKey(Arg("sha")))
                    return (422, Message("Object does not exist"), null);
                Refs[name] = Arg("sha");
                return (201, RefJson(name, Refs[name]), null);
            }
            case "git/update-ref":
            {
                var name = "refs/" + parts[^1];
                if (!Refs.TryGetValue(name, out var current))
                    return (422, Message("Reference does not exist"), null);
                var sha = Arg("sha");
                var force = body!["force"]?.GetValue<bool>() ?? false;
                if (!force && !IsAncestor(current, sha))
                    return (422, Message("Update is not a fast forward"), null);
                Refs[name] = sha;
                return (200, RefJson(name, sha), null);
            }
            case "git/delete-ref":
            {
                if (!Refs.Remove("refs/" + parts[^1], out var last))
                    return (422, Message("Reference does not exist"), null);
                foreach (var pr in PullRequests.Where(p => "refs/heads/" + p.HeadRef == "refs/" + parts[^1]))
                    pr.LastHead = last; // a pull request keeps its head commit when its branch goes
                return (204, null, null);
            }
            case "git/get-commit":
                return Commits.TryGetValue(parts[^1], out var commit) ? (200, CommitJson(commit), null) : (404, Message("Not Found"), null);
            case "git/create-commit":
            {
                var tree = Arg("tree");
                var parents = body!["parents"]?.AsArray().Select(p => p!.GetValue<string>()).ToList() ?? [];
                if (!Trees.ContainsKey(tree) || parents.Any(p => !Commits.ContainsKey(p)))
                    return (422, Message("Tree or parent SHA does not exist"), null);
                return (201, CommitJson(Commits[Commit(tree, parents, Arg("message"), "reconciler[bot]")]), null);
            }
            case "git/get-tree":
            {
                if (!Trees.TryGetValue(parts[^1], out var entries))
                    return (404, Message("Not Found"), null);
                return (200, new JsonObject
                {
                    ["sha"] = parts[^1],
                    ["url"] = "https://example.test",
                    ["truncated"] = false,
                    ["tree"] = new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject { ["path"] = e.Key, ["mode"] = "100644", ["type"] = "blob", ["sha"] = e.Value, ["size"] = Blobs[e.Value].Length })]),
                }, null);
            }
            case "git/create-tree":
            {
                var files = body!["base_tree"] is { } baseTree
                    ? Trees.TryGetValue(baseTree.GetValue<string>(), out var b) ? b.ToDictionary(e => e.Key, e => Blobs[e.Value], StringComparer.Ordinal) : null
                    : new Dictionary<string, string>(StringComparer.Ordinal);
                if (files is null)
                    return (422, Message("base_tree does not exist"), null);
                foreach (var entry in body["tree"]!.AsArray())
                    files[entry!["path"]!.GetValue<string>()] = entry["content"]!.GetValue<string>();
                var sha = Tree(files);
                return (201, new JsonObject { ["sha"] = sha, ["url"] = "https://example.test", ["truncated"] = false, ["tree"] = new JsonArray() }, null);
            }
            case "git/get-blob":
                return Blobs.TryGetValue(parts[^1], out var blob)
                    ? (200, new JsonObject { ["sha"] = parts[^1], ["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(blob)), ["encoding"] = "base64", ["size"] = blob.Length }, null)
                    : (404, Message("Not Found"), null);
            case "pulls/list":
            {
                var state = query.GetValueOrDefault("state", "open");
                var head = query.GetValueOrDefault("head");
                return Page([.. PullRequests.Where(p => state == "all" || p.State == state).Where(p => head is null || $"{Owner}:{p.HeadRef}" == head).Select(PullJson)], query, request.Path);
            }
            case "pulls/create":
            {
                var head = Arg("head");
                if (!Refs.ContainsKey("refs/heads/" + head))
                    return (422, Message("Validation Failed: head does not exist"), null);
                if (PullRequests.Any(p => p.State == "open" && p.HeadRef == head))
                    return (422, Message($"A pull request already exists for {Owner}:{head}."), null);
                var pr = new FakeItem(_next++, Arg("title"), body!["body"]?.GetValue<string>(), true) { HeadRef = head, BaseRef = Arg("base") };
                Items.Add(pr);
                return (201, PullJson(pr), null);
            }
            case "pulls/update":
            {
                var pr = PullRequests.SingleOrDefault(p => p.Number == int.Parse(parts[^1]));
                if (pr is null)
                    return (404, Message("Not Found"), null);
                pr.Title = body!["title"]?.GetValue<string>() ?? pr.Title;
                pr.Body = body["body"]?.GetValue<string>() ?? pr.Body;
                pr.State = body["state"]?.GetValue<string>() ?? pr.State;
                return (200, PullJson(pr), null);
            }
            case "issues/list-for-repo":
            {
                var state = query.GetValueOrDefault("state", "open");
                var labels = query.GetValueOrDefault("labels")?.Split(',') ?? [];
                return Page([.. Items.Where(i => state == "all" || i.State == state).Where(i => labels.All(l => i.Labels.Contains(l))).OrderByDescending(i => i.Number).Select(IssueJson)], query, request.Path);
            }
            case "issues/create":
            {
                var issue = new FakeItem(_next++, Arg("title"), body!["body"]?.GetValue<string>(), false);
                issue.Labels.AddRange(body["labels"]?.AsArray().Select(l => l!.GetValue<string>()) ?? []);
                Items.Add(issue);
                return (201, IssueJson(issue), null);
            }
            case "issues/update":
            {
                var issue = Items.SingleOrDefault(i => i.Number == int.Parse(parts[^1]));
                if (issue is null)
                    return (404, Message("Not Found"), null);
                issue.Title = body!["title"]?.GetValue<string>() ?? issue.Title;
                issue.Body = body["body"]?.GetValue<string>() ?? issue.Body;
                issue.State = body["state"]?.GetValue<string>() ?? issue.State;
                issue.StateReason = body["state_reason"]?.GetValue<string>() ?? (issue.State == "open" ? null : issue.StateReason);
                if (body["labels"] is JsonArray labels)
                    issue.Labels = [.. labels.Select(l => l!.GetValue<string>())];
                return (200, IssueJson(issue), null);
            }
            case "issues/list-comments":
            {
                var item = Items.SingleOrDefault(i => i.Number == int.Parse(parts[^2]));
                return item is null ? (404, Message("Not Found"), null) : Page([.. item.Comments.Select(CommentJson)], query, request.Path);
            }
            case "issues/create-comment":
            {
                var item = Items.SingleOrDefault(i => i.Number == int.Parse(parts[^2]));
                if (item is null)
                    return (404, Message("Not Found"), null);
                var comment = new FakeComment(++_commentIds, Arg("body"));
                item.Comments.Add(comment);
                return (201, CommentJson(comment), null);
            }
            case "issues/update-comment":
            {
                var comment = Items.SelectMany(i => i.Comments).SingleOrDefault(c => c.Id == long.Parse(parts[^1]));
                if (comment is null)
                    return (404, Message("Not Found"), null);
                comment.Body = Arg("body");
                return (200, CommentJson(comment), null);
            }
            case "issues/add-labels":
            {
                var item = Items.SingleOrDefault(i => i.Number == int.Parse(parts[^2]));
                if (item is null)
                    return (404, Message("Not Found"), null);
                foreach (var label in body!["labels"]!.AsArray().Select(l => l!.GetValue<string>()).Where(l => !item.Labels.Contains(l)))
                    item.Labels.Add(label);
                return (200, new JsonArray([.. item.Labels.Select(l => (JsonNode)new JsonObject { ["name"] = l })]), null);
            }
            default:
                return (501, Message($"the fake does not serve {operation}"), null);
        }
    }

    private bool IsAncestor(string ancestor, string sha)
    {
        var seen = new Queue<string>([sha]);
        while (seen.TryDequeue(out var next))
        {
            if (next == ancestor)
                return true;
            foreach (var parent in Commits[next].Parents)
                seen.Enqueue(parent);
        }
        return false;
    }

    private (int, JsonNode?, string?) Page(List<JsonNode> all, Dictionary<string, string> query, string path)
    {
        var size = Math.Min(PageSize, query.TryGetValue("per_page", out var p) ? int.Parse(p) : 30);
        var page = query.TryGetValue("page", out var n) ? int.Parse(n) : 1;
        var items = all.Skip((page - 1) * size).Take(size).ToList();
        string? link = null;
        if (page * size < all.Count)
        {
            var rest = string.Join('&', query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value)}"));
            link = $"<{Url.AbsoluteUri.TrimEnd('/')}{path}?{rest}&page={page + 1}>; rel=\"next\"";
        }
        return (200, new JsonArray([.. items.Select(i => i.DeepClone())]), link);
    }

    private static JsonObject RefJson(string name, string sha) =>
        new() { ["ref"] = name, ["node_id"] = "REF", ["url"] = "https://example.test", ["object"] = new JsonObject { ["sha"] = sha, ["type"] = "commit", ["url"] = "https://example.test" } };

    private static JsonObject CommitJson(FakeCommit commit) => new()
    {
        ["sha"] = commit.Sha,
        ["message"] = commit.Message,
        ["tree"] = new JsonObject { ["sha"] = commit.Tree },
        ["parents"] = new JsonArray([.. commit.Parents.Select(p => (JsonNode)new JsonObject { ["sha"] = p })]),
        ["author"] = new JsonObject { ["name"] = commit.Author },
    };

    private JsonObject PullJson(FakeItem pr) => new()
    {
        ["number"] = pr.Number,
        ["state"] = pr.State,
        ["title"] = pr.Title,
        ["body"] = pr.Body,
        ["html_url"] = $"https://github.example/{Owner}/{Name}/pull/{pr.Number}",
        // As on GitHub, an open pull request's head follows its branch.
        ["head"] = new JsonObject { ["ref"] = pr.HeadRef, ["sha"] = Refs.TryGetValue("refs/heads/" + pr.HeadRef, out var head) ? head : pr.LastHead },
        ["base"] = new JsonObject { ["ref"] = pr.BaseRef, ["sha"] = Refs["refs/heads/" + pr.BaseRef] },
        ["merged_at"] = pr.MergedAt?.ToString("O"),
        ["labels"] = new JsonArray([.. pr.Labels.Select(l => (JsonNode)new JsonObject { ["name"] = l })]),
    };

    private JsonObject IssueJson(FakeItem item)
    {
        var json = new JsonObject
        {
            ["number"] = item.Number,
            ["state"] = item.State,
            ["state_reason"] = item.StateReason,
            ["title"] = item.Title,
            ["body"] = item.Body,
            ["html_url"] = $"https://github.example/{Owner}/{Name}/issues/{item.Number}",
            ["labels"] = new JsonArray([.. item.Labels.Select(l => (JsonNode)new JsonObject { ["name"] = l })]),
        };
        if (item.IsPullRequest)
            json["pull_request"] = new JsonObject { ["url"] = $"https://example.test/pulls/{item.Number}" };
        return json;
    }

    private static JsonObject CommentJson(FakeComment comment) =>
        new() { ["id"] = comment.Id, ["body"] = comment.Body, ["html_url"] = $"https://github.example/comment/{comment.Id}" };
}

internal sealed record FakeAnswer(int Status, string Message, IReadOnlyList<(string Name, string Value)> Headers);

internal sealed record FakeRequest(string Method, string Path, string Query, string Body, string Authorization, string ApiVersion, string Accept);

internal sealed record FakeCommit(string Sha, string Tree, IReadOnlyList<string> Parents, string Message, string Author);

internal sealed class FakeComment(long id, string body)
{
    public long Id { get; } = id;
    public string Body { get; set; } = body;
}

/// <summary>An issue or a pull request (they share numbers, as on GitHub).</summary>
internal sealed class FakeItem(int number, string title, string? body, bool isPullRequest)
{
    public int Number { get; } = number;
    public string Title { get; set; } = title;
    public string? Body { get; set; } = body;
    public bool IsPullRequest { get; } = isPullRequest;
    public string State { get; set; } = "open";
    public string? StateReason { get; set; }
    public List<string> Labels { get; set; } = [];
    public List<FakeComment> Comments { get; } = [];
    public string? HeadRef { get; init; }
    public string? BaseRef { get; init; }
    public string? LastHead { get; set; }
    public DateTimeOffset? MergedAt { get; set; }
}
