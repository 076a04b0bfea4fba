using System.Text.Json;
using System.Text;
using Reconciler.Findings;
using Reconciler.Planning;

namespace Reconciler.Reports;

/// <summary>
/// Writes the would-be pull requests and issues of a dry run into <c>--out/plan/</c>: one Markdown file each
/// (title, labels, body; a PR's diff too, and as a <c>.diff</c> of its own), and <c>plan.json</c> listing them.
/// The folder is replaced whole, so nothing from an earlier run lingers.
/// </summary>
public static class PlanFiles
{
    public static string Write(ChangePlan plan, string outDirectory)
    {
        var root = Path.Combine(outDirectory, "plan");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(Path.Combine(root, "pull-requests"));
        Directory.CreateDirectory(Path.Combine(root, "issues"));

        foreach (var pr in plan.PullRequests)
        {
            var name = $"{pr.Allowlist}--{pr.Dependency}";
            var text = new StringBuilder()
                .AppendLine($"# {pr.Title}").AppendLine()
                .AppendLine($"branch: `{pr.Branch}` · labels: {string.Join(", ", pr.Labels)}").AppendLine()
                .AppendLine(pr.Body);
            if (pr.Diff.Length > 0)
            {
                text.AppendLine("```diff").Append(pr.Diff).AppendLine("```");
                File.WriteAllText(Path.Combine(root, "pull-requests", name + ".diff"), pr.Diff);
            }
            File.WriteAllText(Path.Combine(root, "pull-requests", name + ".md"), text.ToString());
        }
        foreach (var issue in plan.Issues)
        {
            var text = $"# {issue.Title}\n\nlabels: {string.Join(", ", issue.Labels)}\n\n{issue.Body}";
            File.WriteAllText(Path.Combine(root, "issues", $"{issue.Finding.Kind.ToWire()}--{issue.Finding.Dependency}--{issue.Finding.Fingerprint}.md"), text);
        }
        var summary = new
        {
            pullRequests = plan.PullRequests.Select(p => new { p.Branch, p.Title, p.Fingerprint, p.Added, p.Removed, p.Failure, files = p.Edits.Keys }),
            issues = plan.Issues.Select(i => new { i.Title, i.Finding.Fingerprint, i.Labels }),
        };
        using (var stream = File.Create(Path.Combine(root, "plan.json")))
        {
            JsonSerializer.Serialize(stream, summary, ReportJson.Options);
            stream.WriteByte((byte)'\n');
        }
        return root;
    }
}
