using System.Text.RegularExpressions;
using Reconciler.GitHub;
using Reconciler.Publishing;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// Every part of every bot item (title, body, labels, whom it is routed to, state) is compared with the plan on each
/// run and repaired, so a failure half way through one item is finished by the next run; and what is published names
/// policy files as the repository does, with links to their lines.
/// </summary>
public sealed partial class ItemConvergenceTests
{
    private static readonly string[] Reports = ["report.json", "report.md", "report.sarif"];

    [Fact]
    public async Task Labels_that_failed_with_a_server_error_are_added_by_the_next_run_and_then_nothing_is_written()
    {
        await using var world = await PublishingWorld.CreateAsync();
        for (var i = 0; i < 4; i++) // more than the retries: the run ends with the pull request made and its labels not
        {
            var attempt = i; // one predicate per fault (a lambda that captures nothing is one shared delegate)
            world.GitHub.FailOnce(r => attempt >= 0 && r.Method == "POST" && r.Path.EndsWith("/labels", StringComparison.Ordinal), 500, "Server Error");
        }
        await Assert.ThrowsAnyAsync<GitHubApiException>(() => world.RunAsync(PublishingWorld.Start));
        var pr = Assert.Single(world.GitHub.PullRequests);
        Assert.Empty(pr.Labels);

        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        Assert.Contains("reconciler", pr.Labels);
        Assert.Contains("missing-ip", pr.Labels);
        Assert.Contains("severity:high", pr.Labels);

        // A person takes a bot label off and adds their own: the bot's comes back, theirs stays.
        pr.Labels.Remove("missing-ip");
        pr.Labels.Add("netops");
        await world.RunAsync(PublishingWorld.Start.AddHours(2));
        Assert.Contains("missing-ip", pr.Labels);
        Assert.Contains("netops", pr.Labels);

        var writes = world.GitHub.Writes;
        await world.RunAsync(PublishingWorld.Start.AddHours(3));
        Assert.Equal(writes, world.GitHub.Writes);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_title_or_body_a_person_changed_on_a_bot_issue_is_put_back_and_a_closed_bot_issue_reopens()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var issue = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));
        var (title, body) = (issue.Title, issue.Body);

        issue.Title = "whatever";
        issue.Body = issue.Body!.Replace("198.51.100.99", "198.51.100.1", StringComparison.Ordinal);
        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        Assert.Equal(title, issue.Title);
        Assert.Equal(Timeless().Replace(body!, ""), Timeless().Replace(issue.Body!, ""));
        Assert.Empty(world.GitHub.CommentsOn(issue.Number)); // a repair is not news
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task Everything_published_names_policy_files_from_the_repository_root_with_links_to_the_line()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var main = world.GitHub.Refs["refs/heads/main"];
        var web = $"http://127.0.0.1:{world.GitHub.Url.Port}/{FakeGitHub.Owner}/{FakeGitHub.Name}/blob/{main}/{PublishingWorld.PolicyPath}#L";

        var published = Reports.Select(f => (f, File.ReadAllText(Path.Combine(world.Out, f))))
            .Concat(world.GitHub.Requests.Where(r => r.Method != "GET").Select(r => ($"{r.Method} {r.Path}", r.Body.Replace("\\/", "/", StringComparison.Ordinal))))
            .ToList();
        Assert.Empty(published.Where(p => p.Item2.Contains(world.Root, StringComparison.Ordinal)).Select(p => p.Item1 + ": " + p.Item2[Math.Max(0, p.Item2.IndexOf(world.Root, StringComparison.Ordinal) - 80)..][..200]));
        Assert.Contains(published, p => p.Item1 == "report.json" && p.Item2.Contains($"\"{PublishingWorld.PolicyPath}:", StringComparison.Ordinal));

        var issue = Assert.Single(world.GitHub.Issues, i => i.Labels.Contains("static-ip-changed"));
        var link = LocationLink().Match(issue.Body!);
        Assert.True(link.Success, issue.Body);
        Assert.Equal(web + link.Groups["line"].Value, link.Groups["url"].Value);
        // The line it links is the billing rule's.
        var line = world.GitHub.FileOnBranch("main", PublishingWorld.PolicyPath).Split('\n')[int.Parse(link.Groups["line"].Value) - 1];
        Assert.Contains("dependency: billing", line, StringComparison.Ordinal);
        var pr = Assert.Single(world.GitHub.PullRequests);
        Assert.Contains($"]({web}", pr.Body!, StringComparison.Ordinal);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public async Task A_new_commit_on_main_moves_no_link_and_writes_nothing()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        world.GitHub.PushAsPerson("main", "README.md", "# policies\n", "Add a README");
        var writes = world.GitHub.Writes;
        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        Assert.Equal(writes, world.GitHub.Writes);
    }

    [Theory]
    [InlineData("https://api.github.com", "https://github.com/acme/egress-policies/blob/0123abc/policies/egress.yaml#L26")]
    [InlineData("https://github.example.com/api/v3", "https://github.example.com/acme/egress-policies/blob/0123abc/policies/egress.yaml#L26")]
    [InlineData("https://github.example.com/api/v3/", "https://github.example.com/acme/egress-policies/blob/0123abc/policies/egress.yaml#L26")]
    [InlineData("https://api.acme.ghe.com", "https://acme.ghe.com/acme/egress-policies/blob/0123abc/policies/egress.yaml#L26")]
    public void Line_links_point_at_the_web_host_of_the_api(string api, string expected)
    {
        var links = new PolicyLinks((path, line) => new GitHubWebLinks(new Uri(api), "acme", "egress-policies").File("0123abc", path, line), ["policies/egress.yaml"]);
        Assert.Equal(expected, links.Blob("policies/egress.yaml", 26));
        Assert.Equal($"- policy: [`policies/egress.yaml:26:5`]({expected}), not `other.yaml:3:1`",
            links.Apply("- policy: `policies/egress.yaml:26:5`, not `other.yaml:3:1`"));
        Assert.Equal("- policy: `policies/egress.yaml:26:5`", PolicyLinks.Unlinked(links.Apply("- policy: `policies/egress.yaml:26:5`")));
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ")]
    private static partial Regex Timeless();

    [GeneratedRegex(@"\[`policies/apps\.yaml:(?<line>\d+):\d+`\]\((?<url>[^)]+)\)")]
    private static partial Regex LocationLink();
}
