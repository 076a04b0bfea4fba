using System.Text;
using Reconciler.Diagnostics;
using Reconciler.Policies.Validation;

namespace Reconciler.Run;

/// <summary>One argument of Reconciler's command line: <c>--Name=Value</c>, its default and what it means (Markdown).</summary>
public sealed record ArgumentSpec(string Name, string Value, string Default, string Meaning)
{
    public string Usage => $"--{Name}={Value}";
}

/// <summary>
/// Reconciler's arguments, declared once: <see cref="RunOptions.Parse"/> reads only these, an unknown
/// <c>--name</c> is refused with a did-you-mean, <c>--target=Help</c> prints them, and the README's table is
/// tested against <see cref="MarkdownTable"/>. A new argument is one line here and one in RunOptions.Parse.
/// </summary>
public static class RunArguments
{
    public static IReadOnlyList<ArgumentSpec> All { get; } =
    [
        new("policies", "DIR", "`policies`", "where the YAML lives (all `*.yaml`/`*.yml` below it, merged)"),
        new("out", "DIR", "`artifacts`", "where reports, would-be PRs/issues and rendered files go"),
        new("nameservers", "IP[:PORT],…", "`system`", "DNS servers to ask, each a vantage point of its own; `system` is those of `/etc/resolv.conf` (with its `timeout:` and `attempts:`), `tcp:IP[:PORT]` a server asked over TCP only"),
        new("state", "FILE", "`Reconcile`: the branch `reconciler/state`; otherwise `artifacts/state.json`", "first-seen / last-seen memory between runs"),
        new("now", "ISO-8601", "the clock", "for replays and tests"),
        new("base", "REF", "`origin/main`", "Review only: the git ref to compare the working tree's policies with"),
        new("pull-request", "N", "from `GITHUB_EVENT_PATH`", "Review only: the pull request for the sticky comment"),
        new("github-api", "URL", "`GITHUB_API_URL` or `https://api.github.com`", "also GitHub Enterprise; plain `http://` only to a loopback address"),
        new("github-login", "LOGIN", "whose token `GITHUB_TOKEN` is (`github-actions[bot]` for Actions' own)", "`Reconcile` and `Review`: the bot's account, for a GitHub App's token (`APP-SLUG[bot]`): only what it made is the bot's (its pull requests, issues and review comment)"),
        new("repository", "OWNER/NAME", "`GITHUB_REPOSITORY`", "the repository that Reconcile publishes to and Review comments on"),
        new("fail-on", "SEVERITY", "`high`", "exit 1 when a finding at or above it exists"),
        new("observations", "FILE", "none", "replay a saved run's observations instead of asking the network"),
        new("live", "DIR", "none", "dumps from hosts to compare with the YAML: `HOST.iptables`, `HOST.ip6tables` (`iptables-save`), `HOST.ipset` (`ipset save`), `HOST.nft` (`nft list ruleset`), `HOST.squid` (its configuration); see [Live drift](#live-drift-of-the-whole-ruleset)"),
        new("shard", "I/N", "`1/1`", "take only shard I of N of the dependencies (a stable hash of the name)"),
        new("report", "FILE", "none", "`Reconcile`: publish this merged report (of `--target=Merge`) instead of observing"),
        new("feeds", "DIR", "none", "`RefreshProviders`: read saved feeds from this folder instead of the providers"),
        new("snapshot", "FILE", "`tasks/Reconciler/Providers/snapshot.tsv`", "the provider snapshot that `Plan`, `Reconcile`, `Review` and `Import` read and `RefreshProviders` rewrites (the copy built into the library when the default is absent)"),
        new("from", "FILE[,FILE…]", "none", "`Import`: `iptables-save`, `ip6tables-save`, `ipset save` and squid configuration files to draft policies from, told apart by content; see [Import](#import-from-what-an-estate-runs)"),
        new("influx", "URL", "none", "also post `metrics.influx` to InfluxDB: `http://HOST:8086/write?db=DB` (1.x) or `…/api/v2/write?org=ORG&bucket=BUCKET` (2.x); see [Metrics](#metrics)"),
    ];

    /// <summary>
    /// Cake's own options, in case a Cake version hands one to the script (Cake 7 keeps them, and turns
    /// <c>--no-report</c> into <c>Settings_NoReport</c>); names with '_' are Cake configuration (<c>--paths_tools=…</c>).
    /// </summary>
    private static readonly HashSet<string> CakeOwn = new(StringComparer.OrdinalIgnoreCase)
    {
        "target", "verbosity", "v", "help", "h", "tree", "showtree", "description", "showdescription", "dryrun", "noop", "whatif",
        "exclusive", "e", "debug", "d", "bootstrap", "skip-bootstrap", "version", "info", "invalidate-script-cache", "no-report",
    };

    public static ArgumentSpec? Find(string name) => All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Refuses (exit 2) any argument that is neither Reconciler's nor Cake's, and any given twice.</summary>
    public static void CheckNames(IEnumerable<KeyValuePair<string, int>> given)
    {
        foreach (var (name, count) in given)
        {
            if (name.Contains('_', StringComparison.Ordinal) || CakeOwn.Contains(name))
                continue;
            if (Find(name) is null)
            {
                var near = DidYouMean.Nearest(name, All.Select(a => a.Name));
                throw ReconcilerException.InvalidArgument(name, $"Reconciler has no such argument{(near is null ? "" : $"; did you mean --{near}?")} (dotnet cake --target=Help lists them)");
            }
            if (count > 1)
                throw ReconcilerException.InvalidArgument(name, $"given {count} times; give it once");
        }
    }

    /// <summary>The README's table under "## Arguments".</summary>
    public static string MarkdownTable()
    {
        var table = new StringBuilder("| argument | default | meaning |\n| --- | --- | --- |\n");
        foreach (var a in All)
            table.Append($"| `{a.Usage}` | {a.Default} | {a.Meaning} |\n");
        return table.ToString();
    }

    /// <summary>What <c>dotnet cake --target=Help</c> prints: the table as plain text.</summary>
    public static string HelpText()
    {
        static string Plain(string markdown) => markdown.Replace("`", "", StringComparison.Ordinal);
        var width = All.Max(a => a.Usage.Length) + 2;
        var text = new StringBuilder("Reconciler's arguments (dotnet cake [--target=Plan] [--name=value ...]):\n");
        foreach (var a in All)
        {
            var meaning = a.Meaning.Length == 0 ? "" : Plain(a.Meaning) + "; ";
            text.Append($"  {a.Usage.PadRight(width)}{meaning}default: {Plain(a.Default)}\n");
        }
        text.Append("Targets: dotnet cake --description. The token comes only from GITHUB_TOKEN. Cake's own options: dotnet cake --help.\n");
        return text.ToString();
    }
}
