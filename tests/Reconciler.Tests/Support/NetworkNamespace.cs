using System.Diagnostics;

namespace Reconciler.Tests.Support;

/// <summary>
/// A network namespace of the test's own (<c>ip netns add</c>), so that firewall rules are applied for real
/// without touching the machine's; deleted, with everything in it, on dispose. Needs root, as CI has.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private readonly List<Process> _servers = [];

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var ip = ExternalTool.Find("ip", "iproute2");
        var name = "rcn-" + Guid.NewGuid().ToString("N")[..10];
        await ExternalTool.RunAsync(ip, "netns", "add", name);
        var ns = new NetworkNamespace(name);
        await ns.RunAsync("ip", "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>Runs a command inside the namespace; throws with its output when it fails.</summary>
    public Task<string> RunAsync(string command, params string[] arguments) =>
        ExternalTool.RunAsync(ExternalTool.Find("ip", "iproute2"), ["netns", "exec", Name, command, .. arguments]);

    /// <summary>Runs a shell command inside the namespace, feeding it <paramref name="input"/>; returns exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> ShellAsync(string script, string? input = null)
    {
        var start = new ProcessStartInfo(ExternalTool.Find("ip", "iproute2")) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "netns", "exec", Name, "sh", "-c", script })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        if (input is not null)
            await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>A long-running process in the namespace (a test server), killed on dispose.</summary>
    public void Start(string command, params string[] arguments) =>
        _servers.Add(ExternalTool.StartServer(ExternalTool.Find("ip", "iproute2"), ["netns", "exec", Name, command, .. arguments]));

    /// <summary>Joins two namespaces with a veth pair and gives each side an address on 10.99.0.0/24.</summary>
    public static async Task ConnectAsync(NetworkNamespace a, NetworkNamespace b)
    {
        var ip = ExternalTool.Find("ip", "iproute2");
        await ExternalTool.RunAsync(ip, "link", "add", "va" + a.Name[4..], "netns", a.Name, "type", "veth", "peer", "name", "vb" + b.Name[4..], "netns", b.Name);
        await a.RunAsync("ip", "addr", "add", "10.99.0.1/24", "dev", "va" + a.Name[4..]);
        await a.RunAsync("ip", "link", "set", "va" + a.Name[4..], "up");
        await b.RunAsync("ip", "addr", "add", "10.99.0.2/24", "dev", "vb" + b.Name[4..]);
        await b.RunAsync("ip", "link", "set", "vb" + b.Name[4..], "up");
        await a.RunAsync("ip", "route", "add", "default", "via", "10.99.0.2");
    }

    public void Dispose()
    {
        foreach (var server in _servers)
            ExternalTool.StopAsync(server).GetAwaiter().GetResult();
        using var delete = Process.Start(ExternalTool.Find("ip", "iproute2"), ["netns", "del", Name]);
        delete.WaitForExit();
    }
}
