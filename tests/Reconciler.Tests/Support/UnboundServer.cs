using System.Diagnostics;
using System.Net;
using Reconciler.Dns.Transport;

namespace Reconciler.Tests.Support;

/// <summary>
/// Unbound as a caching recursive resolver on a free loopback port, stubbing the test zones to a Knot server,
/// so that tests see what clients behind a real resolver see: followed CNAMEs, TTLs counting down.
/// </summary>
internal sealed class UnboundServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private UnboundServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }
    public NameServer V4 => new(new IPEndPoint(IPAddress.Loopback, Port));

    public static async Task<UnboundServer> StartAsync(KnotServer knot, IEnumerable<string> zones)
    {
        var unbound = ExternalTool.Find("unbound", "unbound");
        var directory = Directory.CreateTempSubdirectory("reconciler-unbound-").FullName;
        var port = ExternalTool.FreePort();
        var config = Path.Combine(directory, "unbound.conf");
        var stubs = string.Join("\n", zones.Select(z => $"stub-zone:\n    name: \"{z}\"\n    stub-addr: 127.0.0.1@{knot.Port}"));
        // do-not-query-localhost and the test. nodefault zone are required: without them Unbound never asks a
        // loopback server and answers .test itself (see the recipes' traps).
        await File.WriteAllTextAsync(config, $"""
            server:
                interface: 127.0.0.1@{port}
                port: {port}
                do-daemonize: no
                username: ""
                chroot: ""
                directory: "{directory}"
                pidfile: "{directory}/unbound.pid"
                logfile: "{directory}/unbound.log"
                use-syslog: no
                verbosity: 1
                num-threads: 1
                access-control: 127.0.0.0/8 allow
                do-not-query-localhost: no
                local-zone: "test." nodefault
                module-config: "iterator"
                qname-minimisation: no
            remote-control:
                control-enable: no
            {stubs}
            """);
        var process = ExternalTool.StartServer(unbound, "-d", "-c", config);
        var server = new UnboundServer(process, directory, port);
        await KnotServer.WaitUntilAnsweringAsync(server.V4, zones.First(), () => process.HasExited ? File.ReadAllText(Path.Combine(directory, "unbound.log")) : null);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await ExternalTool.StopAsync(_process);
        Directory.Delete(_directory, recursive: true);
    }
}
