using System.Diagnostics;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary>
/// The rows of "hostile input" through <c>dotnet cake</c> as a user types them: each ends with exit 2 and one clear
/// line, nothing hangs, and nothing is observed first. In the DNS servers' collection, so that these runs take
/// turns with the other Cake runs and any lookup goes to Knot on loopback.
/// </summary>
[Collection(DnsServersGroup.Name)]
public sealed class HostileInputEntryTests(DnsServersFixture servers) : IDisposable
{
    private const string Valid = "dependencies:\n  - name: partner\n    hosts: [www.example.test]\n";
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-hostile-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string Folder(string name, string? yaml = Valid)
    {
        var dir = Path.Combine(_scratch, name);
        Directory.CreateDirectory(dir);
        if (yaml is not null)
            File.WriteAllText(Path.Combine(dir, "ok.yaml"), yaml);
        return dir;
    }

    private string Knot => "--nameservers=" + servers.Knot.V4;

    [Fact]
    public async Task A_fifo_a_link_out_and_a_leading_zero_are_exit_2_and_nothing_outside_is_printed()
    {
        var dir = Folder("files", Valid + "allowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: partner\n        destinations: [010.1.1.1]\n");
        using (Process.Start("mkfifo", Path.Combine(dir, "egress.yaml")))
        {
        }
        var secret = Path.Combine(_scratch, "shadow");
        File.WriteAllText(secret, "root:$6$SECRET-HASH:20228:0:99999:7:::\n");
        File.CreateSymbolicLink(Path.Combine(dir, "shadow.yaml"), secret);
        File.CreateSymbolicLink(Path.Combine(dir, "zero.yaml"), "/dev/zero");
        while (!File.Exists(Path.Combine(dir, "egress.yaml")))
            await Task.Delay(10);

        var run = await CakeProcess.RunAsync("--target=Validate", "--policies=" + dir);

        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains($"{dir}/egress.yaml:1:1: not read: it is a FIFO (named pipe), not a regular file", run.Output, StringComparison.Ordinal);
        Assert.Contains($"{dir}/shadow.yaml:1:1: not read: it is a link that leads outside --policies", run.Output, StringComparison.Ordinal);
        Assert.Contains($"{dir}/zero.yaml:1:1: not read: it is a link that leads outside --policies", run.Output, StringComparison.Ordinal);
        Assert.Contains($"{dir}/ok.yaml:9:24: '010.1.1.1' has a leading zero in '010'", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_file_is_exit_2_naming_its_path()
    {
        var dir = Folder("locked");
        var file = Path.Combine(dir, "locked.yaml");
        File.WriteAllText(file, "settings:\n  samples: 3\n");
        Assert.True(OperatingSystem.IsLinux() && Environment.UserName == "root", "this test makes a file unreadable for root through a user namespace");
        foreach (var (command, arguments) in new[] { ("chmod", new[] { "000", file }), ("chown", ["12345:12345", file]), ("chmod", ["755", _scratch, dir]) })
        {
            using var process = Process.Start(command, arguments);
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }

        // In a user namespace that maps only root, a file owned by an unmapped user is unreadable even for "root".
        var run = await CakeProcess.RunInAsync(["unshare", "--user", "--map-root-user"], "--target=Validate", "--policies=" + dir);

        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains($"{file}:1:1: cannot be read: Access to the path '{file}' is denied.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_argument_and_empty_or_impossible_values_are_exit_2_before_any_lookup()
    {
        var dir = Folder("args");
        var file = Path.Combine(_scratch, "a-file");
        File.WriteAllText(file, "");

        var typo = await CakeProcess.RunAsync("--target=Validate", "--polices=" + dir);
        var noServer = await CakeProcess.RunAsync("--policies=" + dir, Knot, Knot, "--out=" + Path.Combine(_scratch, "o1"));
        var outIsFile = await CakeProcess.RunAsync("--policies=" + dir, Knot, "--out=" + file);
        var outUnwritable = await CakeProcess.RunAsync("--policies=" + dir, Knot, "--out=/proc/reconciler-out");
        var emptyOut = await CakeProcess.RunAsync("--target=Render", "--policies=" + dir, "--out");

        Assert.Equal((2, 2, 2, 2, 2), (typo.ExitCode, noServer.ExitCode, outIsFile.ExitCode, outUnwritable.ExitCode, emptyOut.ExitCode));
        Assert.Contains("argument --polices: Reconciler has no such argument; did you mean --policies?", typo.Output, StringComparison.Ordinal);
        Assert.Contains("argument --nameservers: given 2 times; give it once", noServer.Output, StringComparison.Ordinal);
        Assert.Contains($"argument --out: '{file}' is a file, not a folder", outIsFile.Output, StringComparison.Ordinal);
        Assert.Contains("argument --out: cannot write to '/proc/reconciler-out'", outUnwritable.Output, StringComparison.Ordinal);
        Assert.Contains("argument --out: the value is empty", emptyOut.Output, StringComparison.Ordinal);
        Assert.All(new[] { noServer, outIsFile, outUnwritable }, r => Assert.DoesNotContain("asked ", r.Output, StringComparison.Ordinal));

        // A replay keeps the test harness's guard content; the servers are refused before the replay is read.
        var comma = await CakeProcess.RunAsync("--policies=" + dir, "--nameservers=,", "--observations=" + file, "--out=" + Path.Combine(_scratch, "o2"));
        Assert.True(comma.ExitCode == 2, comma.Output);
        Assert.Contains("argument --nameservers: ',' names no server to ask", comma.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_github_refuses_is_exit_2_before_dns_runs()
    {
        await using var github = await FakeGitHub.StartAsync("the-right-token", new Dictionary<string, string> { ["policies/ok.yaml"] = Valid });
        var dir = Folder("token");

        var run = await CakeProcess.RunAsync(new Dictionary<string, string> { ["GITHUB_TOKEN"] = "a-wrong-token" },
            "--target=Reconcile", "--policies=" + dir, Knot, "--out=" + Path.Combine(_scratch, "token-out"), "--state=" + Path.Combine(_scratch, "token-state.json"),
            $"--github-api={github.Url}", $"--repository={FakeGitHub.Owner}/{FakeGitHub.Name}");

        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains("GITHUB_TOKEN was refused before anything was observed", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("asked ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("a-wrong-token", run.Output, StringComparison.Ordinal);
        Assert.Equal("GET /repos/" + FakeGitHub.Owner + "/" + FakeGitHub.Name, string.Join(";", github.Requests.Select(r => $"{r.Method} {r.Path}")));
    }

    [Fact]
    public async Task Help_lists_the_declared_arguments()
    {
        var run = await CakeProcess.RunAsync("--target=Help");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.All(Reconciler.Run.RunArguments.All, a => Assert.Contains("  " + a.Usage + " ", run.Output, StringComparison.Ordinal));
    }
}
