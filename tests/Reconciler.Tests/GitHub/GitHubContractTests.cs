using System.Net;
using System.Reflection;
using System.Text;
using Reconciler.GitHub;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.GitHub;

/// <summary>
/// The client against GitHub's official OpenAPI description, served by Prism as a validating mock: every operation
/// the client has is sent once and must be accepted (and its example answer must read into our models). Requests
/// the description forbids are refused by Prism and by the description check of the fake GitHub alike.
/// </summary>
public sealed class GitHubContractTests(PrismServer prism) : IClassFixture<PrismServer>
{
    private static GitHubClient Client(Uri url, HttpClient http) =>
        new(new GitHubConnection(http, url, "ghs_contract", retry: new GitHubRetryOptions { MaxRetries = 0 }), "octo-org", "policies");

    /// <summary>Each public operation of the client, sent to Prism once.</summary>
    private static readonly Dictionary<string, Func<GitHubClient, Task>> Operations = new(StringComparer.Ordinal)
    {
        ["GitHubClient.GetRepositoryAsync"] = c => c.GetRepositoryAsync(default),
        ["GitHubClient.GetAuthenticatedUserAsync"] = c => c.GetAuthenticatedUserAsync(default),
        ["GitHubClient.GetCommitAsync"] = c => c.GetCommitAsync(new string('c', 40), default),
        ["GitDataClient.GetBranchAsync"] = c => c.Git.GetBranchAsync("reconciler/app-egress/ledger", default),
        ["GitDataClient.ListBranchesAsync"] = c => c.Git.ListBranchesAsync("reconciler/", default),
        ["GitDataClient.CreateBranchAsync"] = c => c.Git.CreateBranchAsync("reconciler/app-egress/ledger", new string('a', 40), default),
        ["GitDataClient.MoveBranchAsync"] = c => c.Git.MoveBranchAsync("reconciler/app-egress/ledger", new string('b', 40), default),
        ["GitDataClient.DeleteBranchAsync"] = c => c.Git.DeleteBranchAsync("reconciler/app-egress/ledger", default),
        ["GitDataClient.GetCommitAsync"] = c => c.Git.GetCommitAsync(new string('c', 40), default),
        ["GitDataClient.CreateCommitAsync"] = async c =>
        {
            await c.Git.CreateCommitAsync("Admit 192.0.2.11\n\nReconciler-Change: 0123456789ab\n", new string('d', 40), new string('e', 40), default);
            await c.Git.CreateCommitAsync("Reconciler: drift memory", new string('d', 40), null, default);
        },
        ["GitDataClient.GetTreeAsync"] = c => c.Git.GetTreeAsync(new string('d', 40), recursive: true, default),
        ["GitDataClient.CreateTreeAsync"] = async c =>
        {
            await c.Git.CreateTreeAsync(new string('d', 40), new Dictionary<string, string> { ["policies/apps.yaml"] = "dependencies: []\n" }, default);
            await c.Git.CreateTreeAsync(null, new Dictionary<string, string> { ["state.json"] = "{}\n" }, default);
        },
        ["GitDataClient.GetBlobTextAsync"] = c => c.Git.GetBlobTextAsync(new string('f', 40), default),
        ["PullRequestsClient.ListOpenAsync"] = c => c.PullRequests.ListOpenAsync(default),
        ["PullRequestsClient.ListClosedFromAsync"] = c => c.PullRequests.ListClosedFromAsync("reconciler/app-egress/ledger", default),
        ["PullRequestsClient.CreateAsync"] = c => c.PullRequests.CreateAsync(new NewPullRequest("app-egress: admit 1 new address of ledger", "reconciler/app-egress/ledger", "main", "body"), default),
        ["PullRequestsClient.UpdateAsync"] = async c =>
        {
            await c.PullRequests.UpdateAsync(7, new PullRequestUpdate("title", "body"), default);
            await c.PullRequests.UpdateAsync(7, new PullRequestUpdate(State: "closed"), default);
        },
        ["PullRequestsClient.RequestReviewersAsync"] = async c =>
        {
            await c.PullRequests.RequestReviewersAsync(7, new ReviewRequest(["octocat"], null), default);
            await c.PullRequests.RequestReviewersAsync(7, new ReviewRequest(null, ["netops"]), default);
        },
        ["IssuesClient.AddAssigneesAsync"] = c => c.Issues.AddAssigneesAsync(8, ["octocat"], default),
        ["IssuesClient.ListByCreatorAsync"] = c => c.Issues.ListByCreatorAsync("reconciler[bot]", default),
        ["IssuesClient.ListWithLabelAsync"] = c => c.Issues.ListWithLabelAsync("reconciler", default),
        ["IssuesClient.CreateAsync"] = c => c.Issues.CreateAsync(new NewIssue("resolution-failed: ledger", "body", ["reconciler", "severity:high"]), default),
        ["IssuesClient.UpdateAsync"] = async c =>
        {
            await c.Issues.UpdateAsync(8, new IssueUpdate("title", "body", "open", Labels: ["reconciler"]), default);
            await c.Issues.UpdateAsync(8, new IssueUpdate(Body: "body", State: "closed", StateReason: "completed"), default);
            await c.Issues.UpdateAsync(8, new IssueUpdate(State: "closed", StateReason: "not_planned"), default);
        },
        ["IssuesClient.ListCommentsAsync"] = c => c.Issues.ListCommentsAsync(8, default),
        ["IssuesClient.CommentAsync"] = c => c.Issues.CommentAsync(8, "Resolved.", default),
        ["IssuesClient.UpdateCommentAsync"] = c => c.Issues.UpdateCommentAsync(42, "Updated.", default),
        ["IssuesClient.AddLabelsAsync"] = c => c.Issues.AddLabelsAsync(7, ["reconciler", "missing-ip"], default),
    };

    [Fact]
    public void Every_operation_of_the_client_is_in_the_contract_check()
    {
        Type[] areas = [typeof(GitHubClient), typeof(GitDataClient), typeof(PullRequestsClient), typeof(IssuesClient)];
        var methods = areas.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType)).Select(m => $"{t.Name}.{m.Name}"));
        Assert.Equal(methods.Order(StringComparer.Ordinal), Operations.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_operation_is_accepted_by_the_official_description_and_its_example_answer_reads()
    {
        using var http = new HttpClient();
        var client = Client(prism.Url, http);
        var refused = new List<string>();
        var pagesElsewhere = new List<string>();
        foreach (var (name, operation) in Operations)
        {
            try
            {
                await operation(client);
            }
            catch (GitHubApiException e) when (e.Request == "pagination")
            {
                // The description's example Link header points at https://api.github.com, not at the mock: the
                // request was accepted and its answer read; the client then rightly refuses to take the token there.
                pagesElsewhere.Add(name);
            }
            catch (GitHubApiException e)
            {
                refused.Add($"{name}: {e.Message}");
            }
        }
        Assert.Empty(refused);
        Assert.All(pagesElsewhere, name => Assert.Contains("List", name, StringComparison.Ordinal));
        Assert.True(client.Connection.Calls.Reads + client.Connection.Calls.Writes >= Operations.Count, "every operation reached Prism");
    }

    [Theory]
    [InlineData("POST", "/repos/o/r/pulls", """{"title":"t","base":"main"}""")]              // no head
    [InlineData("POST", "/repos/o/r/pulls", """{"title":"t","head":1,"base":"main"}""")]     // head is not a string
    [InlineData("POST", "/repos/o/r/issues", "{}")]                                          // no title
    [InlineData("PATCH", "/repos/o/r/issues/8", """{"state":"finished"}""")]                 // not a state
    [InlineData("POST", "/repos/o/r/git/refs", """{"ref":"refs/heads/x"}""")]                // no sha
    [InlineData("GET", "/repos/o/r/git/ref/heads/main", null)]                               // '/' in {ref} not escaped
    [InlineData("GET", "/repos/o/r/issues/eight/comments", null)]                            // not a number
    public async Task Prism_and_the_fakes_description_check_refuse_the_same_bad_requests(string method, string path, string? body)
    {
        var status = await SendToPrismAsync(method, path, body);
        Assert.True(status is HttpStatusCode.UnprocessableEntity or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"Prism answered {(int)status} to {method} {path}");

        var (_, violations) = GitHubOpenApi.Instance.Check(method, path, "", body);
        Assert.NotEmpty(violations);
    }

    [Theory]
    [InlineData("POST", "/repos/o/r/pulls", """{"title":"t","head":"reconciler/a/b","base":"main","body":"b","maintainer_can_modify":true}""")]
    [InlineData("PATCH", "/repos/o/r/git/refs/heads%2Freconciler%2Fa%2Fb", """{"sha":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","force":true}""")]
    [InlineData("GET", "/repos/o/r/issues/8/comments", null)]
    public async Task Prism_and_the_fakes_description_check_accept_the_same_good_requests(string method, string path, string? body)
    {
        var status = await SendToPrismAsync(method, path, body);
        Assert.True((int)status is >= 200 and < 300, $"Prism answered {(int)status} to {method} {path}");
        Assert.Empty(GitHubOpenApi.Instance.Check(method, path, "", body).Violations);
    }

    private async Task<HttpStatusCode> SendToPrismAsync(string method, string path, string? body)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(prism.Url, path.TrimStart('/')));
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
