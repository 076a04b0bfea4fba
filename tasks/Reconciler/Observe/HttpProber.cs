using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Reconciler.Observe;

/// <summary>Timeouts of a probe, per phase.</summary>
public sealed record ProbeTimeouts(TimeSpan Connect, TimeSpan Response)
{
    public static ProbeTimeouts Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));
}

/// <summary>
/// Requests a URL from one chosen address, as the client would: the connection goes to that address (directly,
/// or through the identity's proxy with CONNECT), while TLS and the Host header keep the host's name, because one
/// bad backend in a pool is exactly what a probe by name misses. Never throws for what the network does.
/// </summary>
public sealed class HttpProber(ProbeTimeouts timeouts)
{
    private const int ExcerptLength = 300;

    public async Task<ProbeResult> ProbeAsync(Uri url, IPAddress address, string userAgent, Uri? proxy, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        string? tlsProblem = null;
        var viaProxyPlain = proxy is not null && url.Scheme == Uri.UriSchemeHttp;
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = viaProxyPlain,
            Proxy = viaProxyPlain ? new WebProxy(proxy) : null,
            ConnectTimeout = timeouts.Connect,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = viaProxyPlain ? null : (context, token) => ConnectAsync(address, context.DnsEndPoint.Port, proxy, token),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    tlsProblem = errors == SslPolicyErrors.None ? null : TlsProblem(url.Host, certificate as X509Certificate2, chain, errors);
                    return tlsProblem is null;
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        // Through a proxy in plain HTTP the request names the address; the Host header keeps the name.
        var target = viaProxyPlain ? new UriBuilder(url) { Host = address.ToString() }.Uri : url;
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        request.Headers.Host = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeouts.Response);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value));
            var excerpt = await ExcerptAsync(response, deadline.Token).ConfigureAwait(false);
            return new ProbeResult(address.ToString(), userAgent, (int)response.StatusCode, headers, excerpt, null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or SocketException)
        {
            var failure = tlsProblem ?? Describe(e, cancellationToken);
            return new ProbeResult(address.ToString(), userAgent, null, new Dictionary<string, string>(), "", failure, Stopwatch.GetElapsedTime(started));
        }
    }

    private static async ValueTask<Stream> ConnectAsync(IPAddress address, int port, Uri? proxy, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (proxy is null)
            {
                await socket.ConnectAsync(address, port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            await socket.ConnectAsync(proxy.Host, proxy.Port, cancellationToken).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            var authority = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"), cancellationToken).ConfigureAwait(false);
            var answer = await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false);
            var status = answer.Split(' ', 3) is [_, var code, ..] ? code : "?";
            if (status != "200")
                throw new HttpRequestException($"the proxy {proxy.Authority} refused CONNECT {authority}: {answer.Split("\r\n")[0]}");
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 8192)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
                break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[4096];
            var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(buffer, 0, read).ReplaceLineEndings(" ").Trim();
            return text.Length <= ExcerptLength ? text : text[..ExcerptLength] + "…";
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return "";
        }
    }

    private string Describe(Exception e, CancellationToken cancellationToken)
    {
        if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            return e.InnerException is TimeoutException ? $"connect timed out after {timeouts.Connect.TotalSeconds:0.#} s" : $"no response within {timeouts.Response.TotalSeconds:0.#} s";
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    // A reset straight after the handshake shows as "not connected" or "shutdown", depending on timing.
                    SocketError.ConnectionReset or SocketError.NotConnected or SocketError.Shutdown or SocketError.ConnectionAborted => "connection reset by the server",
                    SocketError.TimedOut => $"connect timed out after {timeouts.Connect.TotalSeconds:0.#} s",
                    SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
                    _ => $"socket error: {socket.SocketErrorCode}",
                };
            }
            if (inner is HttpRequestException { Message: var m } && m.StartsWith("the proxy", StringComparison.Ordinal))
                return m;
        }
        return e is IOException or HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } ? "the connection was closed without an answer" : e.Message;
    }

    private static string TlsProblem(string host, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
            return "TLS failed: the server sent no certificate";
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return $"TLS failed: the certificate is for {certificate.GetNameInfo(X509NameType.DnsName, false)}, not {host} (wrong name)";
        var status = chain?.ChainStatus.Select(s => s.Status).Aggregate(X509ChainStatusFlags.NoError, (a, b) => a | b) ?? X509ChainStatusFlags.NoError;
        if (status.HasFlag(X509ChainStatusFlags.NotTimeValid))
            return certificate.NotAfter < DateTime.Now
                ? $"TLS failed: the certificate expired on {certificate.NotAfter:yyyy-MM-dd} (expired)"
                : $"TLS failed: the certificate is not valid before {certificate.NotBefore:yyyy-MM-dd}";
        return $"TLS failed: the certificate is not trusted: issued by {certificate.Issuer} ({(certificate.Subject == certificate.Issuer ? "self-signed" : "unknown issuer")}; untrusted)";
    }
}
