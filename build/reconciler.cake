// Reconciler's task graph (README "Targets"). Each task is one call into the library in tasks/; build.cake builds
// the library and runs this script. `dotnet cake --tree` and `--description` show the graph.
#r "../tasks/Reconciler/bin/Release/net10.0/Reconciler.dll"
#load "parameters.cake"

LibraryDependencies.LoadFromBesideTheLibrary(typeof(ReconcilerRun).Assembly);
var target = Argument("target", "Plan");
// Every message and annotation passes the library's one log escaper (README "Text from outside is data").
var host = RunHost.Escaping(new CakeRunHost(Context));
BuildParameters parameters = null;
Setup<BuildParameters>(context => parameters = new BuildParameters(context, target, host));
Teardown(context => parameters?.Run?.Dispose());

Task("Help")
    .Description("List Reconciler's arguments with their defaults (Cake's own options: dotnet cake --help).")
    .Does(() =>
    {
        foreach (var line in RunArguments.HelpText().ReplaceLineEndings("\n").Split('\n'))
            host.Information(line);
    });

Task("Validate")
    .Description("Load and check every policy file; nothing else (no network).")
    .Does<BuildParameters>(p => p.Run.Validate());

Task("Plan")
    .Description("Validate, observe (DNS, provider feeds, probes, egress), diff and report to --out; writes nothing to GitHub. The default.")
    .IsDependentOn("Validate")
    .Does<BuildParameters>(async p => p.Planned = await p.Run.PlanAsync());

Task("ConnectGitHub")
    .Description("Check GITHUB_TOKEN, --repository and --github-api with one read of the repository. Run by Reconcile first, before anything is observed.")
    .Does<BuildParameters>(async p => await p.Run.ConnectToGitHubAsync(EnvironmentVariable("GITHUB_TOKEN")));

Task("Reconcile")
    .Description("Plan, then publish with GITHUB_TOKEN: pull requests for allowlist edits, issues for drift a human must handle, a dashboard issue; close what is resolved.")
    .IsDependentOn("ConnectGitHub")
    .IsDependentOn("Plan")
    .Does<BuildParameters>(async p => await p.Run.PublishAsync(p.Planned));

Task("Review")
    .Description("Compare the policies at --base with the working tree; judge only what changed. One sticky PR comment, job summary, annotations, SARIF.")
    .Does<BuildParameters>(async p => await p.Run.ReviewPullRequestAsync(EnvironmentVariable("GITHUB_TOKEN")));

Task("Render")
    .Description("Write deployable allowlists: iptables-restore and ipset files per iptables allowlist, an nft -f file per nftables allowlist, a squid include per proxy allowlist.")
    .IsDependentOn("Validate")
    .Does<BuildParameters>(p => p.Run.Render());

Task("Import")
    .Description("Draft policy files into --policies from what an estate runs: iptables-save, ip6tables-save, ipset save, nft list ruleset and squid configuration (--from=FILE,…). Never replaces a file.")
    .Does<BuildParameters>(p => p.Run.Import());

Task("RefreshProviders")
    .Description("Fetch the provider feeds (AWS, Cloudflare, GitHub, Google; or --feeds=DIR) into the committed snapshot.")
    .Does<BuildParameters>(async p => await p.Run.RefreshProvidersAsync());

Task("Merge")
    .Description("Merge the report.json of the --shard runs found in --out's folders into one, for one publish.")
    .Does<BuildParameters>(p => p.Run.Merge());

Environment.Exit(CommandLine.RunTarget(target, Tasks.Select(t => t.Name).ToList(), name => RunTarget(name), () => parameters?.Run, host));
