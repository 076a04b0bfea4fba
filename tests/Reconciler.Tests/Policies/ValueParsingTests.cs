using System.Net;
using Reconciler.Policies.Validation;

namespace Reconciler.Tests.Policies;

public sealed class ValueParsingTests
{
    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    public void Networks_parse_addresses_and_cidrs(string text, string expected)
    {
        Assert.True(Networks.TryParse(text, out var network, out var error), error);
        Assert.Equal(IPNetwork.Parse(expected), network);
    }

    [Theory]
    [InlineData("10.1.2.3/8", "'10.1.2.3/8' has host bits set; did you mean 10.0.0.0/8?")]
    [InlineData("10.1", "'10.1' is not an IP address: write all four parts of an IPv4 address (a.b.c.d)")]
    [InlineData("010.1.1.1", "'010.1.1.1' has a leading zero in '010': some tools read it as octal; write it without the zero")]
    [InlineData("10.1.1.01/32", "'10.1.1.01/32' has a leading zero in '01': some tools read it as octal; write it without the zero")]
    [InlineData("0x0a.1.1.1", "'0x0a.1.1.1' is not an IP address or CIDR network")]
    [InlineData("::ffff:010.1.1.1", "'::ffff:010.1.1.1' has a leading zero in '010': some tools read it as octal; write it without the zero")]
    [InlineData("10.0.0.0/08", "'10.0.0.0/08' has a bad prefix length; use 0 to 32")]
    [InlineData("10.0.0.0/ 8", "'10.0.0.0/ 8' has a bad prefix length; use 0 to 32")]
    [InlineData("fe80::1%eth0", "'fe80::1%eth0' is not an IP address or CIDR network")]
    [InlineData("10.0.0.0/-1", "'10.0.0.0/-1' has a bad prefix length; use 0 to 32")]
    [InlineData("2001:db8::/129", "'2001:db8::/129' has a bad prefix length; use 0 to 128")]
    public void Networks_refuse_what_is_not_one_network(string text, string message)
    {
        Assert.False(Networks.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData("14d", 14 * 24 * 60)]
    [InlineData("36h", 36 * 60)]
    [InlineData("2w", 14 * 24 * 60)]
    [InlineData("1d12h30m", (36 * 60) + 30)]
    public void Durations_add_up_their_parts(string text, int minutes)
    {
        Assert.True(Durations.TryParse(text, out var duration, out _));
        Assert.Equal(TimeSpan.FromMinutes(minutes), duration);
    }

    [Theory]
    [InlineData("14")]
    [InlineData("d")]
    [InlineData("14 days")]
    [InlineData("-3d")]
    [InlineData("99999999999d")]
    public void Durations_refuse_other_shapes(string text) => Assert.False(Durations.TryParse(text, out _, out _));

    [Theory]
    [InlineData("a.example")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("1password.com")]
    [InlineData("frpay1001")]
    public void Host_names_that_dns_allows_pass(string name) => Assert.True(HostNames.TryNormalize(name, out _, out var error), error);

    [Theory]
    [InlineData("-a.example")]
    [InlineData("a..example")]
    [InlineData("192.0.2.1")]
    [InlineData("")]
    public void Host_names_that_dns_refuses_fail(string name) => Assert.False(HostNames.TryNormalize(name, out _, out _));

    [Theory]
    [InlineData("hots", "hosts")]
    [InlineData("hsots", "hosts")]
    [InlineData("Hosts", "hosts")]
    [InlineData("identiy", "identity")]
    [InlineData("completely-different", null)]
    public void Did_you_mean_suggests_only_near_words(string word, string? expected) =>
        Assert.Equal(expected, DidYouMean.Nearest(word, ["name", "hosts", "ports", "identity", "track"]));
}
