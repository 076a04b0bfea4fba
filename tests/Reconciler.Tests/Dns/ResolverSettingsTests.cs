using System.Net;
using Microsoft.Extensions.Time.Testing;
using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;

namespace Reconciler.Tests.Dns;

public sealed class ResolverSettingsTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("::1", "[::1]:53")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData(" 10.0.0.2 ", "10.0.0.2:53")]
    [InlineData("tcp:10.0.0.2", "tcp:10.0.0.2:53")]
    [InlineData("TCP:[::1]:5353", "tcp:[::1]:5353")]
    public void Name_servers_parse_with_or_without_a_port(string text, string expected) =>
        Assert.Equal(expected, NameServer.Parse(text).ToString());

    [Theory]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("2001:db8::1:5353:x")]
    [InlineData("fe80::1%eth0")]
    public void Name_servers_that_are_not_an_address_are_refused(string text) => Assert.False(NameServer.TryParse(text, out _));

    [Fact]
    public void Resolv_conf_gives_servers_timeout_and_attempts_and_says_what_it_skipped()
    {
        var conf = ResolvConf.Parse("""
            # written by DHCP
            search corp.example
            nameserver 10.0.0.2
            nameserver 2001:db8::53 ; comment
            nameserver fe80::1%eth0
            options ndots:2 timeout:1 attempts:3
            """);

        Assert.Equal(["10.0.0.2:53", "[2001:db8::53]:53"], conf.Servers.Select(s => s.ToString()));
        Assert.Equal(["fe80::1%eth0"], conf.Skipped);
        Assert.Equal((TimeSpan.FromSeconds(1), 3), (conf.Options.Timeout, conf.Options.Attempts));
    }

    [Fact]
    public void A_first_attempt_waits_a_few_round_trips_and_never_less_than_100_ms()
    {
        var rtt = new RoundTripTimes();
        var server = new IPEndPoint(IPAddress.Loopback, 53);
        var timeout = TimeSpan.FromSeconds(2);

        var unknown = rtt.FirstAttemptTimeout(server, timeout);
        rtt.Observe(server, TimeSpan.FromMilliseconds(1));
        var fast = rtt.FirstAttemptTimeout(server, timeout);
        for (var i = 0; i < 60; i++)
            rtt.Observe(server, TimeSpan.FromMilliseconds(200));
        var slow = rtt.FirstAttemptTimeout(server, timeout);
        for (var i = 0; i < 60; i++)
            rtt.Observe(server, TimeSpan.FromSeconds(3));

        Assert.Equal(timeout, unknown);
        Assert.Equal(TimeSpan.FromMilliseconds(100), fast);
        Assert.InRange(slow.TotalMilliseconds, 800, 860);
        Assert.Equal(timeout, rtt.FirstAttemptTimeout(server, timeout));
    }

    [Fact]
    public async Task The_pacer_lets_lookups_start_no_faster_than_the_rate()
    {
        var time = new FakeTimeProvider();
        var pacer = new Pacer(10, time);

        var first = pacer.WaitAsync(CancellationToken.None);
        var second = pacer.WaitAsync(CancellationToken.None);
        var third = pacer.WaitAsync(CancellationToken.None);

        Assert.True(first.IsCompleted);
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        await second;
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        await third;
    }

    [Fact]
    public void Without_a_rate_the_pacer_never_waits() =>
        Assert.True(new Pacer(null, new FakeTimeProvider()).WaitAsync(CancellationToken.None).IsCompleted);
}
