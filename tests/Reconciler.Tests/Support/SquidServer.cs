using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reconciler.Tests.Support;

/// <summary>
/// Squid as a real forward proxy on loopback, with a rendered include, forwarding what it admits to a parent
/// on loopback (a stand-in for the internet) so that no request leaves the machine and no DNS is needed.
/// </summary>
internal sealed class SquidServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly TcpListener _parent;
    private readonly CancellationTokenSource _stop;
    private readonly Task _parentLoop;

    private SquidServer(Process process, string directory, TcpListener parent, CancellationTokenSource stop, Task parentLoop, int port)
    {
        _process = process;
        _directory = directory;
        _parent = parent;
        _stop = stop;
        _parentLoop = parentLoop;
        Port = port;
    }

    public int Port { get; }

    /// <summary>
    /// A squid.conf that includes <paramref name="include"/> before its own <c>http_access deny all</c>; with a
    /// parent port, admitted requests go to that parent, without one squid connects to the (loopback) address itself.
    /// </summary>
    public static string Configuration(string directory, int port, int? parentPort, string includePath) => $"""
        http_port 127.0.0.1:{port}
        pid_filename {directory}/squid.pid
        cache_log stdio:{directory}/cache.log
        access_log stdio:{directory}/access.log squid
        cache_store_log none
        cache deny all
        cache_mem 8 MB
        coredump_dir {directory}
        cache_effective_user proxy
        pinger_enable off
        shutdown_lifetime 0 seconds
        hosts_file {directory}/hosts
        dns_nameservers 127.0.0.1
        include {includePath}
        http_access deny all
        {(parentPort is { } parent ? $"cache_peer 127.0.0.1 parent {parent} 0 no-query no-digest default name=loopback\nnever_direct allow all" : "")}

        """;

    /// <summary>Writes the include and a configuration around it into a fresh folder the proxy user owns.</summary>
    public static async Task<(string Directory, string Config)> PrepareAsync(string include, int port, int? parentPort)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("reconciler-squid-").FullName;
        var includePath = Path.Combine(directory, "reconciler.conf");
        await File.WriteAllTextAsync(includePath, include);
        await File.WriteAllTextAsync(Path.Combine(directory, "hosts"), "127.0.0.1 localhost\n");
        var config = Path.Combine(directory, "squid.conf");
        await File.WriteAllTextAsync(config, Configuration(directory, port, parentPort, includePath));
        await ExternalTool.RunAsync("chown", "-R", "proxy:", directory);
        return (directory, config);
    }

    public string Directory => _directory;

    public static async Task<SquidServer> StartAsync(string include, bool direct = false)
    {
        var squid = ExternalTool.Find("squid", "squid");
        var parent = new TcpListener(IPAddress.Loopback, 0);
        parent.Start();
        var stop = new CancellationTokenSource();
        var parentLoop = Task.Run(() => AnswerEverythingAsync(parent, stop.Token));
        var port = ExternalTool.FreePort();
        var (directory, config) = await PrepareAsync(include, port, direct ? null : ((IPEndPoint)parent.LocalEndpoint).Port);
        var process = ExternalTool.StartServer(squid, "-N", "-f", config);
        var server = new SquidServer(process, directory, parent, stop, parentLoop, port);
        for (var i = 0; i < 500 && !process.HasExited; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }
        await server.DisposeAsync();
        throw new InvalidOperationException("squid did not start: " + await File.ReadAllTextAsync(Path.Combine(directory, "cache.log")));
    }

    /// <summary>A plain HTTP/1.1 "200 from the parent" to whatever squid forwards.</summary>
    private static async Task AnswerEverythingAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync(cancellationToken);
                var stream = client.GetStream();
                var buffer = new byte[8192];
                _ = await stream.ReadAsync(buffer, cancellationToken);
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 13\r\nConnection: close\r\n\r\nfrom parent\r\n"), cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                if (cancellationToken.IsCancellationRequested)
                    return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ExternalTool.StopAsync(_process);
        await _stop.CancelAsync();
        _parent.Stop();
        try { await _parentLoop.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        System.IO.Directory.Delete(_directory, recursive: true);
        _stop.Dispose();
    }
}
