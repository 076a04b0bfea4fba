using System.Diagnostics;

namespace Reconciler.Tests.Support;

/// <summary>
/// Prism (installed by .ci/install-npm-tools) serving GitHub's OpenAPI description as a validating mock on
/// loopback: a request the description does not allow gets 422 (why: the sl-violations header) or 404.
/// Started once for the contract tests (it takes about ten seconds to read the 7 MB description), stopped by PID.
/// </summary>
public sealed class PrismServer : IAsyncLifetime
{
    private Process? _process;

    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var prism = Path.Combine(GitHubOpenApi.Directory, "node_modules", ".bin", "prism");
        if (!File.Exists(prism) || !File.Exists(GitHubOpenApi.SpecPath))
            throw new InvalidOperationException($"Prism or the description is not in {GitHubOpenApi.Directory}: run `bash .ci/install-npm-tools` (.ci/run does)");
        var port = ExternalTool.FreePort();
        // -v warn: at info Prism logs every route at start and several lines per request.
        _process = ExternalTool.StartServer(prism, "mock", "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-v", "warn", GitHubOpenApi.SpecPath);
        Url = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var ready = Stopwatch.StartNew();
        while (ready.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"prism exited {_process.ExitCode} while starting");
            try
            {
                using var _ = await http.GetAsync(Url);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException("prism did not answer within 60 s");
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
            await ExternalTool.StopAsync(_process);
    }
}
