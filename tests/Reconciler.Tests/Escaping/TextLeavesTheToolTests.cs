using System.Globalization;
using System.Text;
using Reconciler.Diagnostics;
using Reconciler.Dns.Resolution;
using Reconciler.Files;
using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Loading;
using Reconciler.Publishing;
using Reconciler.Review;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Escaping;

/// <summary>
/// Hostile text (<see cref="HostileText"/>) driven through every place text leaves the tool: a whole Plan from policy
/// fields and replayed DNS answers (its log at every level, report.md, the step summary, each would-be pull request
/// and issue), the dashboard, the review comment and annotations. Each output is held to its language's invariant,
/// and each must still show the data (its sentinel).
/// </summary>
public sealed class TextLeavesTheToolTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A YAML double-quoted scalar holding exactly <paramref name="text"/>.</summary>
    private static string Yaml(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c < 0x20 || c > 0x7E => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>What a one-line policy field may hold (the loader refuses control characters there): the rest of the hostile text.</summary>
    private static string OneLine(string text) => new([.. text.Where(c => !ControlCharacters.IsForbidden(c))]);

    /// <summary>A reason may span lines; other control characters are refused there too.</summary>
    private static string MultiLine(string text) => new([.. text.Where(c => c is '\n' or '\r' or '\t' || !ControlCharacters.IsForbidden(c))]);

    [Fact]
    public async Task A_plan_made_of_hostile_owners_reasons_and_dns_names_keeps_each_output_in_its_language()
    {
        var all = HostileText.All(mutations: 120);
        foreach (var chunk in all.Chunk(45))
            await PlanOf([.. chunk]);
    }

    private static async Task PlanOf(IReadOnlyList<string> hostile)
    {
        var folder = Directory.CreateTempSubdirectory("reconciler-hostile-").FullName;
        try
        {
            var policies = Path.Combine(folder, "policies");
            Directory.CreateDirectory(policies);
            var yaml = new StringBuilder("dependencies:\n");
            for (var i = 0; i < hostile.Count; i++)
                yaml.Append(CultureInfo.InvariantCulture, $"  - name: dep{i}\n    owner: {Yaml(OneLine(hostile[i]))}\n    hosts: [h{i}.example.test]\n");
            yaml.Append("allowlists:\n  - name: egress\n    kind: iptables\n    rules:\n");
            for (var i = 0; i < hostile.Count; i++)
                yaml.Append(CultureInfo.InvariantCulture, $"      - dependency: dep{i}\n        destinations: [198.51.100.{i + 1}]\n        reason: {Yaml(MultiLine(hostile[i]))}\n");
            yaml.Append("ignore:\n");
            for (var i = 0; i < hostile.Count; i++)
                yaml.Append(CultureInfo.InvariantCulture, $"  - dependency: dep{i}\n    kind: stale-ip\n    reason: {Yaml(MultiLine(hostile[i]))}\n    expires: 2026-01-01\n");
            await File.WriteAllTextAsync(Path.Combine(policies, "p.yaml"), yaml.ToString());

            // Each host answers through a CNAME chain of hostile names: half of them end at a Cloudflare edge name (a
            // cdn-fronted issue), the others at an address no rule admits (a pull request, with the chain as evidence).
            var observations = Enumerable.Range(0, hostile.Count).Select(i => new Observation(
                $"h{i}.example.test", "A", "127.0.0.1:53", DnsOutcome.Answer, i % 2 == 0 ? [hostile[i], hostile[i] + ".cdn.cloudflare.net"] : [hostile[i]],
                [new ObservedAddress($"192.0.2.{i + 1}", 300)], Now, 1)).ToList();
            var replay = Path.Combine(folder, "observations.json");
            await File.WriteAllTextAsync(replay, new ObservationSet(Now, ["127.0.0.1:53"], observations).ToJson());

            var log = new CollectingLog();
            var host = RunHost.For(log, name => name == "GITHUB_ACTIONS" ? "true" : null);
            using var run = new ReconcilerRun(new RunOptions
            {
                Target = "Plan",
                Policies = policies,
                Out = Path.Combine(folder, "out"),
                State = Path.Combine(folder, "state.json"),
                Observations = replay,
                Now = Now,
            }, host);
            await run.PlanAsync();

            LogInvariant.Holds(log, hostile);
            var bodies = Directory.GetFiles(Path.Combine(folder, "out", "plan"), "*.md", SearchOption.AllDirectories).ToList();
            Assert.Contains(bodies, b => b.Contains("pull-requests", StringComparison.Ordinal));
            Assert.Contains(bodies, b => b.Contains("cdn-fronted", StringComparison.Ordinal));
            Assert.Contains(bodies, b => b.Contains("ignore-expired", StringComparison.Ordinal));
            var texts = bodies.Select(File.ReadAllText).ToList();
            foreach (var (path, text) in bodies.Zip(texts))
                MarkdownInvariant.Holds(Body(text), [], Path.GetFileName(path));
            // Positive control: every hostile string shows (escaped) in the bodies, in report.md and in the summary.
            MarkdownInvariant.Holds(string.Join("\n", texts.Select(Body)), hostile, "the would-be pull requests and issues");
            MarkdownInvariant.Holds(await File.ReadAllTextAsync(Path.Combine(folder, "out", "report.md")), hostile, "report.md");
            MarkdownInvariant.Holds(Assert.Single(log.StepSummaries), hostile, "the step summary");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A plan file is <c># title</c>, a labels line and the body; the title is plain text on GitHub.</summary>
    private static string Body(string file) => string.Join('\n', file.Split('\n').Skip(3));

    [Fact]
    public void The_dashboard_shows_hostile_titles_branches_and_failures_as_data()
    {
        var hostile = HostileText.All(mutations: 60);
        var entries = hostile.Select((h, i) => new DashboardEntry($"#{i + 1}", h)).ToList();
        var notProposed = hostile.Select((h, i) => new PlannedPullRequest("egress", h, h, "", [], [], [], new Dictionary<string, IReadOnlyList<Reconciler.Yaml.TextEdit>>(), "", [], h)).ToList();
        var decision = new PublishDecision([], [], [], [], []);
        var body = Dashboard.Render(entries, entries, decision, notProposed);
        MarkdownInvariant.Holds(body, hostile, "the dashboard");
    }

    [Fact]
    public void The_review_comment_and_its_annotations_carry_hostile_messages_as_data()
    {
        var hostile = HostileText.All(mutations: 60);
        var findings = hostile.Select((h, i) => new Finding
        {
            Kind = FindingKind.MissingIp,
            Severity = i % 2 == 0 ? Severity.High : Severity.Low,
            Dependency = $"dep{i}",
            Subject = h,
            Message = h,
            Action = FindingAction.Issue,
            Location = new SourceLocation("policies/p.yaml", i + 1, 1),
        }).ToList();
        var errors = hostile.Select((h, i) => new PolicyError(new SourceLocation(h, 1, 1), h)).ToList();
        var changes = new PolicyChanges([], []);
        var review = new ReviewResult(OneLine(hostile[0]), hostile[1], "0123456789abcdef", changes, findings, [], hostile, Severity.High);
        MarkdownInvariant.Holds(ReviewComment.Render(review, p => p), hostile, "the review comment");
        MarkdownInvariant.Holds(ReviewComment.Render(review with { Errors = errors }, p => p), [], "the review comment of invalid policies");

        var log = new CollectingLog();
        var host = RunHost.For(log, name => name == "GITHUB_ACTIONS" ? "true" : null);
        host.Annotate(Annotations.For(review, p => p));
        host.Annotate(Annotations.For(review with { Errors = errors }, p => p));
        Assert.NotEmpty(log.Annotations);
        foreach (var a in log.Annotations)
        {
            foreach (var text in new[] { a.File, a.Title, a.Message, a.LogLine })
                LogInvariant.IsOneSafeLine(text, "an annotation");
        }
        // Off GitHub Actions an annotation is a log line.
        var plain = new CollectingLog();
        RunHost.For(plain, _ => null).Annotate(Annotations.For(review, p => p));
        LogInvariant.Holds(plain, hostile.Take(Annotations.PerLevel - 1).ToList());
    }
}
