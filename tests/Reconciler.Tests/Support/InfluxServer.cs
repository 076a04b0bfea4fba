using System.Diagnostics;
using System.Text.Json;

namespace Reconciler.Tests.Support;

/// <summary>
/// InfluxDB 1.x (Debian's <c>influxd</c>) on free loopback ports, its config and data in a temporary folder,
/// started in the foreground and stopped by its PID. Debian's config listens on :8086 (HTTP, every interface) and
/// 127.0.0.1:8088 (the RPC service for backups), with the ifql service on :8082; each is moved to a free loopback
/// port or turned off, and usage reporting and the _internal monitor database are off.
/// </summary>
internal sealed class InfluxServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private InfluxServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Url { get; }

    /// <param name="admin">With a <c>user:password</c>, authentication is on and that user is its admin.</param>
    public static async Task<InfluxServer> StartAsync(string? admin = null)
    {
        // A port free when chosen may be taken before influxd binds it (tests run in parallel): then try others.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(admin);
            }
            catch (InfluxExitedException) when (attempt < 3)
            {
            }
        }
    }

    private sealed class InfluxExitedException(string message) : InvalidOperationException(message);

    private static async Task<InfluxServer> StartOnceAsync(string? admin)
    {
        var influxd = ExternalTool.Find("influxd", "influxdb");
        var directory = Directory.CreateTempSubdirectory("reconciler-influx-").FullName;
        var http = ExternalTool.FreePort();
        var rpc = ExternalTool.FreePort();
        while (rpc == http)
            rpc = ExternalTool.FreePort();
        var config = Path.Combine(directory, "influxdb.conf");
        await File.WriteAllTextAsync(config, $"""
            reporting-enabled = false
            bind-address = "127.0.0.1:{rpc}"
            [meta]
              dir = "{directory}/meta"
            [data]
              dir = "{directory}/data"
              wal-dir = "{directory}/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:{http}"
              auth-enabled = {(admin is null ? "false" : "true")}
              log-enabled = false
            [ifql]
              enabled = false
            [continuous_queries]
              enabled = false
            """);
        var process = ExternalTool.StartServer(influxd, "-config", config);
        var server = new InfluxServer(process, directory, http);
        try
        {
            await server.WaitUntilAnsweringAsync();
            if (admin is not null)
            {
                var (user, password) = (admin.Split(':', 2)[0], admin.Split(':', 2)[1]);
                // With authentication on and no user yet, InfluxDB takes exactly this statement without credentials.
                await server.QueryAsync($"CREATE USER \"{user}\" WITH PASSWORD '{password}' WITH ALL PRIVILEGES", database: null, credentials: null);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
                throw new InfluxExitedException($"influxd exited with {_process.ExitCode} while starting (config in {_directory})");
            try
            {
                using var ping = await http.GetAsync(new Uri(Url, "/ping"));
                if ((int)ping.StatusCode == 204)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"influxd did not answer /ping at {Url} within 20 s");
    }

    public Uri WriteUrl(string database) => new(Url, $"/write?db={Uri.EscapeDataString(database)}");

    /// <summary>Runs an InfluxQL statement over HTTP, as the <c>influx</c> shell does; returns InfluxDB's JSON.</summary>
    public async Task<JsonDocument> QueryAsync(string statement, string? database, string? credentials)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var form = new Dictionary<string, string> { ["q"] = statement, ["epoch"] = "ns" };
        if (database is not null)
            form["db"] = database;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Url, "/query")) { Content = new FormUrlEncodedContent(form) };
        if (credentials is not null)
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"InfluxDB refused {statement}: {(int)response.StatusCode} {body}");
        var json = JsonDocument.Parse(body);
        if (json.RootElement.GetProperty("results")[0].TryGetProperty("error", out var error))
            throw new InvalidOperationException($"InfluxDB refused {statement}: {error}");
        return json;
    }

    /// <summary>The rows of a SELECT, each as column name to value.</summary>
    public async Task<List<Dictionary<string, JsonElement>>> SelectAsync(string statement, string database, string? credentials = null)
    {
        using var json = await QueryAsync(statement, database, credentials);
        var rows = new List<Dictionary<string, JsonElement>>();
        if (!json.RootElement.GetProperty("results")[0].TryGetProperty("series", out var series))
            return rows;
        foreach (var serie in series.EnumerateArray())
        {
            var columns = serie.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
            foreach (var values in serie.GetProperty("values").EnumerateArray())
                rows.Add(columns.Zip(values.EnumerateArray(), (c, v) => (c, v.Clone())).ToDictionary(p => p.c, p => p.Item2));
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await ExternalTool.StopAsync(_process);
        Directory.Delete(_directory, recursive: true);
    }
}
