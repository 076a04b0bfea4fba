using System.Net;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Dns;

/// <summary>The resolver against Knot (authoritative) and Unbound (recursive) on loopback.</summary>
[Collection(DnsServersGroup.Name)]
public sealed class RealServerTests(DnsServersFixture servers) : IAsyncDisposable
{
    private readonly DnsLookupClient _client = new(new DnsTransportOptions { Timeout = TimeSpan.FromSeconds(1), Attempts = 2 });
    private HostResolver Resolver => new(_client, TimeProvider.System);

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private static string[] Addresses(HostLookup lookup) => [.. lookup.Addresses.Select(a => a.Address.ToString()).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_and_aaaa_come_back_with_their_ttl_over_ipv4_and_ipv6()
    {
        var a = await Resolver.ResolveAsync(servers.Knot.V4, "www.example.test", RecordType.A);
        var aaaa = await Resolver.ResolveAsync(servers.Knot.V6, "www.example.test", RecordType.AAAA);

        Assert.Equal((DnsOutcome.Answer, "192.0.2.10", 300u), (a.Outcome, a.Addresses.Single().Address.ToString(), a.Addresses.Single().Ttl));
        Assert.Equal(IPAddress.Parse("2001:db8::10"), aaaa.Addresses.Single().Address);
        Assert.Equal(servers.Knot.V6, aaaa.Server);
    }

    [Fact]
    public async Task A_cname_chain_inside_the_zone_is_kept_whole()
    {
        var lookup = await Resolver.ResolveAsync(servers.Knot.V4, "chain1.example.test", RecordType.A);

        Assert.Equal(["chain1.example.test>chain2.example.test", "chain2.example.test>chain3.example.test"], lookup.Chain.Select(c => $"{c.Name}>{c.Target}"));
        Assert.Equal(["192.0.2.20"], Addresses(lookup));
        Assert.Equal("chain3.example.test", lookup.CanonicalName);
    }

    [Fact]
    public async Task A_cname_into_another_zone_is_followed_by_asking_again()
    {
        var direct = await _client.QueryAsync(servers.Knot.V4, new DnsQuestion("ext.example.test", RecordType.A));
        var lookup = await Resolver.ResolveAsync(servers.Knot.V4, "ext.example.test", RecordType.A);

        Assert.Single(direct.Message!.Answers);   // the authoritative server stops at the CNAME
        Assert.Equal("api.other.test", Assert.Single(lookup.Chain).Target.ToString());
        Assert.Equal(["198.51.100.7"], Addresses(lookup));
    }

    /// <summary>
    /// Knot serves names whose labels hold bytes the text form escapes; the CNAME into the other zone is asked again
    /// by its labels, at Knot (which stops at the CNAME) and at Unbound (which follows it itself).
    /// </summary>
    [Theory]
    [InlineData("ones.example.test", "198.51.100.8")]
    [InlineData("dotted.example.test", "198.51.100.9")]
    public async Task A_cname_to_labels_the_text_form_escapes_resolves_at_real_servers(string host, string address)
    {
        var atKnot = await Resolver.ResolveAsync(servers.Knot.V4, host, RecordType.A);
        var atUnbound = await Resolver.ResolveAsync(servers.Unbound.V4, host, RecordType.A);

        foreach (var lookup in new[] { atKnot, atUnbound })
        {
            Assert.True(lookup.Outcome == DnsOutcome.Answer, $"{lookup.Server}: {lookup.Outcome} {lookup.Error}");
            Assert.Equal([address], Addresses(lookup));
        }
        var target = Assert.Single(atKnot.Chain).Target;
        Assert.Equal(host.StartsWith("ones", StringComparison.Ordinal) ? string.Concat(Enumerable.Repeat("\\001", 63)) + ".other.test" : "a\\.b.other.test", target.ToString());
        Assert.Equal(target, Assert.Single(atUnbound.Chain).Target);
    }

    [Fact]
    public async Task A_name_with_many_records_returns_them_all()
    {
        var lookup = await Resolver.ResolveAsync(servers.Knot.V4, "pool.example.test", RecordType.A);

        Assert.Equal([.. Enumerable.Range(101, 8).Select(i => $"192.0.2.{i}")], Addresses(lookup));
        Assert.All(lookup.Addresses, a => Assert.Equal(60u, a.Ttl));
    }

    [Fact]
    public async Task An_answer_too_big_for_udp_is_fetched_over_tcp()
    {
        var response = await _client.QueryAsync(servers.Knot.V4, new DnsQuestion("big.example.test", RecordType.A));
        var lookup = await Resolver.ResolveAsync(servers.Knot.V4, "big.example.test", RecordType.A);

        Assert.True(response.UsedTcp);
        Assert.Equal(150, lookup.Addresses.Count);
    }

    [Fact]
    public async Task Nxdomain_and_nodata_are_distinct_outcomes()
    {
        var nx = await Resolver.ResolveAsync(servers.Knot.V4, "nx.example.test", RecordType.A);
        var nodata = await Resolver.ResolveAsync(servers.Knot.V4, "v6only.example.test", RecordType.A);

        Assert.Equal((DnsOutcome.NxDomain, DnsOutcome.NoData), (nx.Outcome, nodata.Outcome));
        Assert.Empty(nx.Addresses);
        Assert.Empty(nodata.Addresses);
    }

    [Fact]
    public async Task A_cname_loop_ends_the_chase()
    {
        var lookup = await Resolver.ResolveAsync(servers.Knot.V4, "loop1.example.test", RecordType.A);

        Assert.Equal(DnsOutcome.Malformed, lookup.Outcome);
        Assert.StartsWith("CNAME loop", lookup.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_only_mode_works_against_a_real_server()
    {
        await using var tcp = new DnsLookupClient(new DnsTransportOptions { TcpOnly = true });

        var response = await tcp.QueryAsync(servers.Knot.V4, new DnsQuestion("www.example.test", RecordType.A));

        Assert.Equal((DnsOutcome.Answer, true), (response.Outcome, response.UsedTcp));
    }

    [Fact]
    public async Task A_zone_changed_at_run_time_gives_the_new_address()
    {
        var before = await Resolver.ResolveAsync(servers.Knot.V4, "mutable.example.test", RecordType.A);

        await servers.Knot.ChangeAsync("example.test", ["zone-unset", "mutable", "A"], ["zone-set", "mutable", "60", "A", "192.0.2.51"]);
        var after = await Resolver.ResolveAsync(servers.Knot.V4, "mutable.example.test", RecordType.A);

        Assert.Equal(["192.0.2.50"], Addresses(before));
        Assert.Equal(["192.0.2.51"], Addresses(after));
    }

    [Fact]
    public async Task Through_unbound_the_cross_zone_chain_comes_in_one_answer()
    {
        var response = await _client.QueryAsync(servers.Unbound.V4, new DnsQuestion("ext.example.test", RecordType.AAAA));
        var lookup = await Resolver.ResolveAsync(servers.Unbound.V4, "ext.example.test", RecordType.AAAA);

        Assert.True(response.Message!.Header.RecursionAvailable);
        Assert.Equal(2, response.Message.Answers.Count);
        Assert.Equal(["2001:db8:1::7"], Addresses(lookup));
        Assert.Single(lookup.Chain);
    }

    [Fact]
    public async Task Through_unbound_a_cached_ttl_counts_down()
    {
        var first = await Resolver.ResolveAsync(servers.Unbound.V4, "www.example.test", RecordType.A);
        await Task.Delay(TimeSpan.FromSeconds(2.1));
        var second = await Resolver.ResolveAsync(servers.Unbound.V4, "www.example.test", RecordType.A);

        Assert.InRange(first.Addresses.Single().Ttl, 290u, 300u);
        Assert.InRange(second.Addresses.Single().Ttl, first.Addresses.Single().Ttl - 4, first.Addresses.Single().Ttl - 2);
    }

    [Fact]
    public async Task Bulk_resolution_keeps_every_server_as_its_own_vantage_point()
    {
        var bulk = new BulkResolver(Resolver, TimeProvider.System, new BulkResolverOptions { Samples = 2, MaxInFlightPerServer = 4 });
        string[] hosts = ["www.example.test", "chain1.example.test", "nx.example.test", "v6only.example.test"];

        var lookups = await bulk.ResolveAsync(hosts, [servers.Knot.V4, servers.Unbound.V4]);

        Assert.Equal(2 * 2 * hosts.Length * 2, lookups.Count);
        Assert.Equal([servers.Knot.V4, servers.Unbound.V4], lookups.Select(l => l.Server).Distinct());
        Assert.Equal(
            [.. hosts.SelectMany(h => new[] { $"{h} A", $"{h} AAAA" })],
            lookups.Take(hosts.Length * 2).Select(l => $"{l.Host} {l.Type}"));
        var byOutcome = lookups.Where(l => l.Server == servers.Knot.V4).GroupBy(l => l.Outcome).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<DnsOutcome, int> { [DnsOutcome.Answer] = 10, [DnsOutcome.NxDomain] = 4, [DnsOutcome.NoData] = 2 }, byOutcome);
    }
}
