namespace Reconciler.Tests.Support;

/// <summary>One Knot (authoritative) and one Unbound (recursive, stubbing to that Knot) for the DNS integration tests.</summary>
public sealed class DnsServersFixture : IAsyncLifetime
{
    public const string ExampleZone = """
        $ORIGIN example.test.
        $TTL 300
        @       IN SOA  ns1 hostmaster 1 3600 600 86400 60
        @       IN NS   ns1
        ns1     IN A    127.0.0.1
        www     IN A    192.0.2.10
        www     IN AAAA 2001:db8::10
        v6only  IN AAAA 2001:db8::12
        chain1  IN CNAME chain2
        chain2  IN CNAME chain3
        chain3  IN A    192.0.2.20
        chain3  IN AAAA 2001:db8::20
        ext     IN CNAME api.other.test.
        ones    IN CNAME \001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001.other.test.
        dotted  IN CNAME a\.b.other.test.
        loop1   IN CNAME loop2
        loop2   IN CNAME loop1
        mutable 60 IN A 192.0.2.50
        short 3 IN A    192.0.2.30
        rotating 60 IN A 192.0.2.101
        rotating 60 IN A 192.0.2.102
        partner-cdn IN CNAME partner.example.test.cdn.cloudflare.net.
        waf     IN A    127.0.0.2
        tls     IN A    127.0.0.3
        """;

    /// <summary>Where a partner that moved behind Cloudflare now points: an edge name in one of Cloudflare's ranges.</summary>
    public const string CloudflareZone = """
        $ORIGIN cloudflare.net.
        $TTL 300
        @       IN SOA  ns1 hostmaster 1 3600 600 86400 60
        @       IN NS   ns1
        ns1     IN A    127.0.0.1
        partner.example.test.cdn IN A 104.16.1.1
        """;

    public const string OtherZone = """
        $ORIGIN other.test.
        $TTL 300
        @       IN SOA  ns1 hostmaster 1 3600 600 86400 60
        @       IN NS   ns1
        ns1     IN A    127.0.0.1
        api     IN A    198.51.100.7
        api     IN AAAA 2001:db8:1::7
        \001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001 IN A 198.51.100.8
        a\.b    IN A    198.51.100.9
        """;

    internal KnotServer Knot { get; private set; } = null!;
    internal UnboundServer Unbound { get; private set; } = null!;

    /// <summary>A pool of 8 (as providers rotate) and a name with 150 addresses, too many for one UDP answer.</summary>
    private static string Generated() =>
        string.Concat(Enumerable.Range(101, 8).Select(i => $"pool 60 IN A 192.0.2.{i}\n")) +
        string.Concat(Enumerable.Range(1, 150).Select(i => $"big IN A 198.51.{100 + (i / 100)}.{i % 100 + 1}\n"));

    public async Task InitializeAsync()
    {
        Knot = await KnotServer.StartAsync(new Dictionary<string, string>
        {
            ["example.test"] = ExampleZone + "\n" + Generated(),
            ["other.test"] = OtherZone + "\n",
            ["cloudflare.net"] = CloudflareZone + "\n",
        });
        Unbound = await UnboundServer.StartAsync(Knot, ["example.test", "other.test"]);
    }

    public async Task DisposeAsync()
    {
        if (Unbound is not null)
            await Unbound.DisposeAsync();
        if (Knot is not null)
            await Knot.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DnsServersGroup : ICollectionFixture<DnsServersFixture>
{
    public const string Name = "DNS servers on loopback";
}
