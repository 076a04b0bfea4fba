using System.Text;
using System.Text.Json.Nodes;

namespace Reconciler.Tests.Support;

/// <summary>The fake's answers: one per operation of GitHub's description that Reconciler calls, and the JSON shapes they return.</summary>
internal sealed partial class FakeGitHub
{
    private (int, JsonNode?, string?) Route(string operation, FakeRequest request, JsonObject? body)
    {
        if (operation == "users/get-authenticated")
        {
            return IntegrationToken
                ? (403, Message("Resource not accessible by integration"), null)
                : (200, new JsonObject { ["login"] = TokenLogin, ["id"] = 4242, ["type"] = "User" }, null);
        }
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
                foreach (var pr in PullRequests.Where(p => p.HeadRepository is null && "refs/heads/" + p.HeadRef == "refs/" + parts[^1]))
                    pr.LastHead = last; // a pull request keeps its head commit when its branch goes
                return (204, null, null);
            }
            case "git/get-commit":
                return Commits.TryGetValue(parts[^1], out var commit) ? (200, CommitJson(commit), null) : (404, Message("Not Found"), null);
            case "repos/get-commit":
                return Commits.TryGetValue(parts[^1], out var made) ? (200, RepositoryCommitJson(made), null) : (404, Message("Not Found"), null);
            case "git/create-commit":
            {
                var tree = Arg("tree");
                var parents = body!["parents"]?.AsArray().Select(p => p!.GetValue<string>()).ToList() ?? [];
                if (!Trees.ContainsKey(tree) || parents.Any(p => !Commits.ContainsKey(p)))
                    return (422, Message("Tree or parent SHA does not exist"), null);
                return (201, CommitJson(Commits[Commit(tree, parents, Arg("message"), TokenLogin)]), null);
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
                return Page([.. PullRequests.Where(p => state == "all" || p.State == state).Where(p => head is null || $"{(p.HeadRepository ?? Owner).Split('/')[0]}:{p.HeadRef}" == head).Select(PullJson)], query, request.Path);
            }
            case "pulls/create":
            {
                var head = Arg("head");
                if (!Refs.ContainsKey("refs/heads/" + head))
                    return (422, Message("Validation Failed: head does not exist"), null);
                if (PullRequests.Any(p => p.State == "open" && p.HeadRepository is null && p.HeadRef == head))
                    return (422, Message($"A pull request already exists for {Owner}:{head}."), null);
                var pr = new FakeItem(_next++, Arg("title"), body!["body"]?.GetValue<string>(), true) { HeadRef = head, BaseRef = Arg("base"), Author = TokenLogin };
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
            case "pulls/request-reviewers":
            {
                var pr = PullRequests.SingleOrDefault(p => p.Number == int.Parse(parts[^2]));
                if (pr is null)
                    return (404, Message("Not Found"), null);
                var logins = body?["reviewers"]?.AsArray().Select(r => r!.GetValue<string>()).ToList() ?? [];
                var teams = body?["team_reviewers"]?.AsArray().Select(r => r!.GetValue<string>()).ToList() ?? [];
                // GitHub's words when any one of them has no access: nothing is requested.
                if (logins.Any(l => !Collaborators.Contains(l)) || teams.Any(t => !Teams.Contains(t)))
                    return (422, Message($"Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the {Owner}/{Name} repository."), null);
                pr.RequestedReviewers.AddRange(logins.Where(l => !pr.RequestedReviewers.Contains(l)));
                pr.RequestedTeams.AddRange(teams.Where(t => !pr.RequestedTeams.Contains(t)));
                return (201, PullJson(pr), null);
            }
            case "issues/add-assignees":
            {
                var item = Items.SingleOrDefault(i => i.Number == int.Parse(parts[^2]));
                if (item is null)
                    return (404, Message("Not Found"), null);
                // As on GitHub, whoever cannot be assigned is left out without an error.
                foreach (var login in body?["assignees"]?.AsArray().Select(a => a!.GetValue<string>()).Where(Collaborators.Contains) ?? [])
                {
                    if (!item.Assignees.Contains(login))
                        item.Assignees.Add(login);
                }
                return (201, IssueJson(item), null);
            }
            case "issues/list-for-repo":
            {
                var state = query.GetValueOrDefault("state", "open");
                var labels = query.GetValueOrDefault("labels")?.Split(',') ?? [];
                var creator = query.GetValueOrDefault("creator");
                return Page([.. Items.Where(i => state == "all" || i.State == state).Where(i => labels.All(l => i.Labels.Contains(l))).Where(i => creator is null || i.Author.Equals(creator, StringComparison.OrdinalIgnoreCase)).OrderByDescending(i => i.Number).Select(IssueJson)], query, request.Path);
            }
            case "issues/create":
            {
                var issue = new FakeItem(_next++, Arg("title"), body!["body"]?.GetValue<string>(), false) { Author = TokenLogin };
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
                var comment = new FakeComment(++_commentIds, Arg("body"), TokenLogin);
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
        ["committer"] = new JsonObject { ["name"] = commit.CommittedBy },
    };

    /// <summary>
    /// The commit as <c>repos/get-commit</c> gives it: the GitHub accounts its author and committer are linked to, and
    /// the files it changes from its first parent, each with its blob.
    /// </summary>
    private JsonObject RepositoryCommitJson(FakeCommit commit)
    {
        var before = commit.Parents.Count > 0 ? Trees[Commits[commit.Parents[0]].Tree] : new SortedDictionary<string, string>(StringComparer.Ordinal);
        var after = Trees[commit.Tree];
        var files = after.Where(e => before.GetValueOrDefault(e.Key) != e.Value).Select(e => (JsonNode)new JsonObject { ["filename"] = e.Key, ["sha"] = e.Value, ["status"] = before.ContainsKey(e.Key) ? "modified" : "added" })
            .Concat(before.Where(e => !after.ContainsKey(e.Key)).Select(e => (JsonNode)new JsonObject { ["filename"] = e.Key, ["sha"] = null, ["status"] = "removed" }));
        return new JsonObject
        {
            ["sha"] = commit.Sha,
            ["commit"] = new JsonObject
            {
                ["message"] = commit.Message,
                ["tree"] = new JsonObject { ["sha"] = commit.Tree },
                ["author"] = new JsonObject { ["name"] = commit.Author },
                ["committer"] = new JsonObject { ["name"] = commit.CommittedBy },
            },
            ["author"] = new JsonObject { ["login"] = commit.Author },
            ["committer"] = new JsonObject { ["login"] = commit.CommittedBy },
            ["parents"] = new JsonArray([.. commit.Parents.Select(p => (JsonNode)new JsonObject { ["sha"] = p })]),
            ["files"] = new JsonArray([.. files]),
        };
    }

    private JsonObject PullJson(FakeItem pr) => new()
    {
        ["number"] = pr.Number,
        ["state"] = pr.State,
        ["title"] = pr.Title,
        ["body"] = pr.Body,
        ["html_url"] = $"https://github.example/{Owner}/{Name}/pull/{pr.Number}",
        // As on GitHub, an open pull request's head follows its branch.
        ["user"] = new JsonObject { ["login"] = pr.Author },
        ["head"] = new JsonObject
        {
            ["ref"] = pr.HeadRef,
            ["sha"] = pr.HeadRepository is null && Refs.TryGetValue("refs/heads/" + pr.HeadRef, out var head) ? head : pr.LastHead,
            ["repo"] = new JsonObject { ["full_name"] = pr.HeadRepository ?? $"{Owner}/{Name}" },
        },
        ["base"] = new JsonObject { ["ref"] = pr.BaseRef, ["sha"] = Refs["refs/heads/" + pr.BaseRef] },
        ["merged_at"] = pr.MergedAt?.ToString("O"),
        ["labels"] = new JsonArray([.. pr.Labels.Select(l => (JsonNode)new JsonObject { ["name"] = l })]),
        ["requested_reviewers"] = new JsonArray([.. pr.RequestedReviewers.Select(l => (JsonNode)new JsonObject { ["login"] = l })]),
        ["requested_teams"] = new JsonArray([.. pr.RequestedTeams.Select(t => (JsonNode)new JsonObject { ["slug"] = t })]),
        ["assignees"] = new JsonArray([.. pr.Assignees.Select(l => (JsonNode)new JsonObject { ["login"] = l })]),
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
            ["user"] = new JsonObject { ["login"] = item.Author },
            ["html_url"] = $"https://github.example/{Owner}/{Name}/issues/{item.Number}",
            ["labels"] = new JsonArray([.. item.Labels.Select(l => (JsonNode)new JsonObject { ["name"] = l })]),
            ["assignees"] = new JsonArray([.. item.Assignees.Select(l => (JsonNode)new JsonObject { ["login"] = l })]),
        };
        if (item.IsPullRequest)
            json["pull_request"] = new JsonObject { ["url"] = $"https://example.test/pulls/{item.Number}" };
        return json;
    }

    private static JsonObject CommentJson(FakeComment comment) =>
        new() { ["id"] = comment.Id, ["body"] = comment.Body, ["html_url"] = $"https://github.example/comment/{comment.Id}", ["user"] = new JsonObject { ["login"] = comment.Author } };
}
