using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reconciler.Tests.Support;

/// <summary>Partners on loopback as the probes meet them: Kestrel apps, WAFs that refuse, servers that reset or stall.</summary>
internal static class PartnerServers
{
    /// <summary>What Cloudflare answers when its Browser Integrity Check refuses a client.</summary>
    public static async Task CloudflareBlock(HttpContext context)
    {
        context.Response.StatusCode = 403;
        context.Response.Headers.Server = "cloudflare";
        context.Response.Headers["CF-RAY"] = "8c1e2f3a4b5c6d7e-LHR";
        await context.Response.WriteAsync("error code: 1020");
    }

    /// <summary>Blocks runtime-default user agents as Cloudflare's integrity check does; answers normally otherwise.</summary>
    public static Task BlocksJavaClients(HttpContext context) =>
        context.Request.Headers.UserAgent.ToString().StartsWith("Java/", StringComparison.Ordinal) ? CloudflareBlock(context) : context.Response.WriteAsync("ok");

    public static async Task<WebApplication> StartAsync(IPAddress address, int port, RequestDelegate handler, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port, listen =>
        {
            if (certificate is not null)
                listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }

    public static int PortOf(WebApplication app) => new Uri(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

    /// <summary>A certificate for <paramref name="name"/>, signed by itself, valid between the given days from now.</summary>
    public static X509Certificate2 SelfSigned(string name, int fromDays = -1, int toDays = 30)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(fromDays), DateTimeOffset.UtcNow.AddDays(toDays));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A server that accepts and resets every connection at once.</summary>
    public static TcpListener Resetting(IPAddress address, int port) => Raw(address, port, client =>
    {
        client.LingerState = new LingerOption(true, 0);
        client.Close();
    });

    /// <summary>A server that accepts every connection and never answers.</summary>
    public static TcpListener Stalling(IPAddress address, int port, List<TcpClient> held) => Raw(address, port, client =>
    {
        lock (held)
            held.Add(client);
    });

    private static TcpListener Raw(IPAddress address, int port, Action<TcpClient> onAccept)
    {
        var listener = new TcpListener(address, port);
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    onAccept(await listener.AcceptTcpClientAsync());
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        return listener;
    }
}
