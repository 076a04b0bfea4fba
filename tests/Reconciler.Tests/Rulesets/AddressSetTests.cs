using System.Net;
using Reconciler.Rulesets;

namespace Reconciler.Tests.Rulesets;

/// <summary>Address sets compare what the addresses are, whatever networks or ranges say them.</summary>
public sealed class AddressSetTests
{
    private static AddressSet Of(int family, params string[] networks) =>
        AddressSet.Of(family, networks.SelectMany(n => NftRuleset.Element(n) ?? throw new ArgumentException(n)));

    [Theory]
    [InlineData(4, "10.0.0.0/16 10.1.0.0/16 10.0.0.0/17", "10.0.0.0/15")]
    [InlineData(4, "10.2.0.5 10.2.0.6 10.2.0.7", "10.2.0.5, 10.2.0.6/31")]
    [InlineData(4, "10.2.0.5-10.2.0.7 10.2.0.8", "10.2.0.5, 10.2.0.6/31, 10.2.0.8")]
    [InlineData(4, "0.0.0.0/1 128.0.0.0/1 10.0.0.1", "0.0.0.0/0")]
    [InlineData(6, "2001:db8::/33 2001:db8:8000::/33 2001:db8:1::1", "2001:db8::/32")]
    [InlineData(6, "::/0 2001:db8::1", "::/0")]
    [InlineData(6, "10.0.0.1 2001:db8::1", "2001:db8::1")]
    public void Overlapping_and_adjacent_networks_are_one_set(int family, string networks, string expected) =>
        Assert.Equal(expected, Of(family, networks.Split(' ')).ToString());

    [Theory]
    [InlineData(4, "10.0.0.0/15", "10.0.0.0/16 10.1.0.0/17", "10.1.128.0/17")]
    [InlineData(4, "10.0.0.0/24", "10.0.0.128/25", "10.0.0.0/25")]
    [InlineData(4, "10.0.0.0/24", "10.0.0.1-10.0.0.254", "10.0.0.0, 10.0.0.255")]
    [InlineData(4, "10.0.0.0/24", "9.0.0.0/8 11.0.0.0/8", "10.0.0.0/24")]
    [InlineData(4, "0.0.0.0/0", "0.0.0.1-255.255.255.254", "0.0.0.0, 255.255.255.255")]
    [InlineData(4, "10.0.0.0/24", "10.0.0.0/16", "")]
    [InlineData(6, "::/0", "::/1", "8000::/1")]
    [InlineData(6, "2001:db8::/32", "2001:db8::/33 2001:db8:8000::/33", "")]
    public void Except_leaves_exactly_the_addresses_the_other_set_does_not_hold(int family, string set, string other, string expected)
    {
        var difference = Of(family, set.Split(' ')).Except(Of(family, other.Split(' ')));

        Assert.Equal(expected, difference.ToString());
        Assert.Equal(expected.Length == 0, difference.IsEmpty);
    }

    [Fact]
    public void A_set_less_itself_is_empty_and_the_union_of_its_parts_is_itself()
    {
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var networks = Enumerable.Range(0, 12).Select(_ => new IPNetwork(IPAddress.Parse($"10.{random.Next(4)}.{random.Next(256)}.0"), random.Next(16, 33)) is var n
                ? new IPNetwork(Reconciler.Policies.Validation.Networks.Mask(n.BaseAddress, n.PrefixLength), n.PrefixLength) : default).ToList();
            var whole = AddressSet.Of(4, networks);
            var half = AddressSet.Of(4, networks.Take(6));

            Assert.True(whole.Except(whole).IsEmpty);
            Assert.Equal(whole.ToString(), half.Union(whole.Except(half)).ToString());
            Assert.Equal(whole.ToString(), AddressSet.Of(4, whole.Networks()).ToString());
            Assert.True(half.Except(whole).IsEmpty);
        }
    }
}
