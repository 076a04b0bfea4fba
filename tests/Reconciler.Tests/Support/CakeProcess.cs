using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Reconciler.Tests.Support;

/// <summary>Runs <c>dotnet cake</c> at the repository root, as a user would, and captures what it printed.</summary>
internal static partial class CakeProcess
{
    public sealed record Outcome(int ExitCode, string Output);

    private static bool IsLoopback(string server) =>
        Reconciler.Dns.Transport.NameServer.TryParse(server, out var parsed) && System.Net.IPAddress.IsLoopback(parsed.Endpoint.Address);

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiColours();

    public static Task<Outcome> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(), arguments);

    /// <summary>
    /// The first run after a source change builds the library and compiles the task graph; two test classes doing
    /// that at once fight over the same files. Cake caches a compiled script per script host, and `--tree` runs
    /// another host than a target does, so one run of each (Validate needs no network) comes before any other.
    /// </summary>
    private static readonly Lazy<Task<Outcome>> Prepared = new(async () =>
    {
        var target = await StartAsync(new Dictionary<string, string>(), ["--target=Validate"]);
        return target.ExitCode != 0 ? target : await StartAsync(new Dictionary<string, string>(), ["--tree"]);
    });

    /// <param name="environment">Variables for the run (e.g. GITHUB_TOKEN, which is otherwise removed).</param>
    public static async Task<Outcome> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        // Tests never ask the system resolver: a target that observes DNS must be told a loopback server or a replay.
        var target = arguments.FirstOrDefault(a => a.StartsWith("--target=", StringComparison.Ordinal))?["--target=".Length..] ?? "Plan";
        var observes = target is "Plan" or "Reconcile" or "Review" && !arguments.Contains("--tree") && !arguments.Contains("--description");
        var contained = arguments.Any(a => a.StartsWith("--observations=", StringComparison.Ordinal))
            || arguments.Any(a => a.StartsWith("--nameservers=", StringComparison.Ordinal) && a["--nameservers=".Length..].Split(',').All(IsLoopback));
        if (observes && !contained)
            throw new InvalidOperationException("a test ran a DNS-observing target without --nameservers on loopback or --observations: " + string.Join(' ', arguments));

        var prepared = await Prepared.Value;
        if (prepared.ExitCode != 0)
            throw new InvalidOperationException("dotnet cake --target=Validate or --tree failed on the example policies, so the library or the task graph does not build:\n" + prepared.Output);
        return await StartAsync(environment, arguments);
    }

    /// <summary><c>dotnet cake</c> under a wrapper command (e.g. <c>unshare --user --map-root-user</c>); never a DNS-observing target.</summary>
    public static async Task<Outcome> RunInAsync(string[] wrapper, params string[] arguments)
    {
        if (!arguments.Contains("--target=Validate"))
            throw new InvalidOperationException("a wrapped run is for --target=Validate only");
        var prepared = await Prepared.Value;
        if (prepared.ExitCode != 0)
            throw new InvalidOperationException("dotnet cake --tree failed:\n" + prepared.Output);
        return await StartAsync(new Dictionary<string, string>(), arguments, wrapper);
    }

    private static async Task<Outcome> StartAsync(IReadOnlyDictionary<string, string> environment, string[] arguments, string[]? wrapper = null)
    {
        var start = new ProcessStartInfo(wrapper is { Length: > 0 } ? wrapper[0] : "dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var part in wrapper is { Length: > 0 } ? [.. wrapper[1..], "dotnet"] : Array.Empty<string>())
            start.ArgumentList.Add(part);
        start.ArgumentList.Add("cake");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("GITHUB_TOKEN");
        // A test says where it runs; the machine running the tests (a GitHub-hosted CI runner) does not.
        start.Environment.Remove("RUNNER_ENVIRONMENT");
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet cake " + string.Join(' ', arguments) + " did not finish in 3 minutes");
        }
        return new Outcome(process.ExitCode, AnsiColours().Replace(await stdout + await stderr, ""));
    }
}
