using System.Diagnostics;
using System.Net;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;

namespace Reconciler.Tests.Support;

/// <summary>
/// Knot DNS, authoritative for the zones a test gives it, on a free loopback port (IPv4 and IPv6), started in
/// the foreground and stopped by its PID. Zones change at run time through <see cref="ChangeAsync"/> (knotc).
/// </summary>
internal sealed class KnotServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly string _config;

    private KnotServer(Process process, string directory, string config, int port)
    {
        _process = process;
        _directory = directory;
        _config = config;
        Port = port;
    }

    public int Port { get; }
    public NameServer V4 => new(new IPEndPoint(IPAddress.Loopback, Port));
    public NameServer V6 => new(new IPEndPoint(IPAddress.IPv6Loopback, Port));

    /// <param name="zones">Zone name to zone file text.</param>
    public static async Task<KnotServer> StartAsync(IReadOnlyDictionary<string, string> zones)
    {
        var knotd = ExternalTool.Find("knotd", "knot");
        var directory = Directory.CreateTempSubdirectory("reconciler-knot-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "zones"));
        var port = ExternalTool.FreePort();
        foreach (var (name, text) in zones)
            await File.WriteAllTextAsync(Path.Combine(directory, "zones", name + ".zone"), text);
        var config = Path.Combine(directory, "knot.conf");
        await File.WriteAllTextAsync(config, $"""
            server:
                rundir: "{directory}"
                listen: [ 127.0.0.1@{port}, ::1@{port} ]
                udp-workers: 2
                tcp-workers: 2
                background-workers: 1
            control:
                listen: "{directory}/knot.sock"
            log:
              - target: "{directory}/knot.log"
                any: info
            database:
                storage: "{directory}/storage"
            template:
              - id: default
                storage: "{directory}/zones"
                file: "%s.zone"
                zonefile-load: whole
                journal-content: none
                zonefile-sync: -1
            zone:
            {string.Join("\n", zones.Keys.Select(z => $"  - domain: {z}"))}
            """);
        var process = ExternalTool.StartServer(knotd, "-c", config);
        var server = new KnotServer(process, directory, config, port);
        await WaitUntilAnsweringAsync(server.V4, zones.Keys.First(), () => process.HasExited ? File.ReadAllText(Path.Combine(directory, "knot.log")) : null);
        return server;
    }

    /// <summary>Changes records at run time through a knotc transaction, as an operator would.</summary>
    public async Task ChangeAsync(string zone, params string[][] commands)
    {
        var knotc = ExternalTool.Find("knotc", "knot");
        await ExternalTool.RunAsync(knotc, "-c", _config, "zone-begin", zone);
        foreach (var command in commands)
            await ExternalTool.RunAsync(knotc, ["-c", _config, command[0], zone, .. command[1..]]);
        await ExternalTool.RunAsync(knotc, "-c", _config, "zone-commit", zone);
    }

    /// <summary>Polls with our own client until the server answers the zone's SOA; fails with the server's log if it died.</summary>
    internal static async Task WaitUntilAnsweringAsync(NameServer server, string zone, Func<string?> deathNote)
    {
        await using var client = new DnsLookupClient(new DnsTransportOptions { Timeout = TimeSpan.FromMilliseconds(200), Attempts = 1 });
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (deathNote() is { } note)
                throw new InvalidOperationException($"the server exited while starting:\n{note}");
            var response = await client.QueryAsync(server, new DnsQuestion(zone, RecordType.SOA));
            if (response.Outcome == DnsOutcome.Answer)
                return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no answer for {zone} SOA from {server} within 15 s");
    }

    public async ValueTask DisposeAsync()
    {
        await ExternalTool.StopAsync(_process);
        Directory.Delete(_directory, recursive: true);
    }
}
