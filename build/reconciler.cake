// Reconciler's task graph (README "Targets"). Each task is one call into the library in tasks/; build.cake builds
// the library and runs this script. `dotnet cake --tree` and `--description` show the graph.
#r "../tasks/Reconciler/bin/Release/net10.0/Reconciler.dll"
#load "parameters.cake"

LibraryDependencies.LoadFromBesideTheLibrary(typeof(ReconcilerRun).Assembly);
var target = Argument("target", "Plan");
BuildParameters parameters = null;
Setup<BuildParameters>(context => parameters = new BuildParameters(context, target));
Teardown(context => parameters?.Run?.Dispose());

Task("Help")
    .Description("List Reconciler's arguments with their defaults (Cake's own options: dotnet cake --help).")
    .Does(() => Information("{0}", RunArguments.HelpText()));

Task("Validate")
    .Description("Load and check every policy file; nothing else (no network).")
    .Does<BuildParameters>(p => p.Run.Validate());

Task("Plan")
    .Description("Validate, observe (DNS, provider feeds, probes, egress), diff and report to --out; writes nothing to GitHub. The default.")
    .IsDependentOn("Validate")
    .Does<BuildParameters>(async p =>
    {
        var report = await p.Run.PlanAsync();
        if (BuildSystem.GitHubActions.IsRunningOnGitHubActions)
            GitHubActions.Commands.SetStepSummary(ReportMarkdown.Write(report, p.Run.Summary));
    });

Task("Reconcile")
    .Description("Plan, then publish with GITHUB_TOKEN: pull requests for allowlist edits, issues for drift a human must handle, a dashboard issue; close what is resolved.")
    .IsDependentOn("Plan")
    .Does<BuildParameters>(async p => await p.Run.PublishAsync());

Task("Review")
    .Description("Compare the policies at --base with the working tree; judge only what changed. One sticky PR comment, job summary, annotations, SARIF.")
    .Does<BuildParameters>(async p =>
    {
        var review = await p.Run.ReviewAsync();
        var annotations = Annotations.For(review, p.Run.RepositoryPathOf);
        if (BuildSystem.GitHubActions.IsRunningOnGitHubActions)
        {
            foreach (var a in annotations)
            {
                var at = new GitHubActionsAnnotation { File = a.File, StartLine = a.Line, StartColumn = a.Column, Title = a.Title };
                if (a.Level == AnnotationLevel.Error)
                    GitHubActions.Commands.Error(a.Message, at);
                else
                    GitHubActions.Commands.Warning(a.Message, at);
            }
            GitHubActions.Commands.SetStepSummary(ReviewComment.Render(review, p.Run.RepositoryPathOf));
        }
        else
        {
            foreach (var a in annotations)
                Information("{0}:{1}:{2}: {3}: {4}: {5}", a.File, a.Line, a.Column, a.Level.ToString().ToLowerInvariant(), a.Title, a.Message);
        }
        await p.Run.CommentOnPullRequestAsync(Environment.GetEnvironmentVariable("GITHUB_TOKEN"));
    });

Task("Render")
    .Description("Write deployable allowlists: iptables-restore and ipset files per iptables allowlist, a squid include per proxy allowlist.")
    .IsDependentOn("Validate")
    .Does<BuildParameters>(p => p.Run.Render());

Task("RefreshProviders")
    .Description("Fetch the provider feeds (AWS, Cloudflare, GitHub, Google; or --feeds=DIR) into the committed snapshot.")
    .Does<BuildParameters>(async p => await p.Run.RefreshProvidersAsync());

Task("Merge")
    .Description("Merge the report.json of the --shard runs found in --out's folders into one, for one publish.")
    .Does<BuildParameters>(p => p.Run.Merge());

var exitCode = ExitCodes.Ok;
var why = "done";
try
{
    if (!Tasks.Any(t => string.Equals(t.Name, target, StringComparison.OrdinalIgnoreCase)))
        throw ReconcilerException.InvalidArgument("target", $"'{target}' is not a target; use one of {string.Join(", ", Tasks.Select(t => t.Name))}");
    RunTarget(target);
    exitCode = parameters?.Run?.ExitCode ?? ExitCodes.Ok;
    why = parameters?.Run?.ExitReason ?? why;
}
catch (Exception e)
{
    exitCode = ExitCodes.For(e);
    why = ExitCodes.Describe(e);
    Error("{0}", why);
    Verbose("{0}", e);
}
// Cake's table above says every task succeeded whatever the findings; this line says how the run ends, and why.
if (exitCode == ExitCodes.Ok)
    Information("exit {0}: {1}", exitCode, why);
else
    Warning("exit {0}: {1}", exitCode, why);
Environment.Exit(exitCode);
