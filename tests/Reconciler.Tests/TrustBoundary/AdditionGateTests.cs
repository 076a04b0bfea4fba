using Reconciler.Policies.Validation;
using Reconciler.Tests.Engine;

namespace Reconciler.Tests.TrustBoundary;

/// <summary>The gate's own rules beside the blocks: declared private ranges, and our own egress addresses.</summary>
public sealed class AdditionGateTests
{
    private static readonly AdditionGate Gate = new(DriftEngineTests.Parse("""
        identities:
          - name: us
            egress_ips: [203.0.113.10, "2001:db8::10"]
        dependencies:
          - name: vpce
            hosts: [vpce.example.test]
            private_ranges: [10.20.0.0/16, "fd12:3456::/32"]
          - name: plain
            hosts: [plain.example.test]
        """));

    [Theory]
    [InlineData("vpce", "10.20.0.1", null)]
    [InlineData("vpce", "10.20.255.255", null)]
    [InlineData("vpce", "10.20.0.0/24", null)]
    [InlineData("vpce", "fd12:3456::1", null)]
    [InlineData("vpce", "10.21.0.0", "and vpce declares no private_ranges holding it")]
    [InlineData("vpce", "10.20.0.0/15", "and vpce declares no private_ranges holding it")]
    [InlineData("vpce", "::ffff:10.20.0.1", "IPv4-mapped")]
    [InlineData("vpce", "2002:a14:1::1", "6to4")]
    [InlineData("vpce", "169.254.169.254", "link local")]
    [InlineData("vpce", "100.64.0.1", "shared address space")]
    [InlineData("plain", "10.20.0.1", "and plain declares no private_ranges holding it")]
    [InlineData("plain", "203.0.113.10", "one of our own egress addresses (identity us, p.yaml:3:18)")]
    [InlineData("plain", "203.0.113.0/24", "a prefix holding our own egress address 203.0.113.10")]
    [InlineData("plain", "::ffff:203.0.113.10", "our own egress address")]
    [InlineData("plain", "2002:cb00:710a::1", "our own egress address")]
    [InlineData("plain", "2001:db8::10", "one of our own egress addresses")]
    [InlineData("plain", "203.0.113.11", null)]
    [InlineData("plain", "2001:db8::11", null)]
    public void Declared_ranges_admit_private_use_only_and_our_own_addresses_never(string dependency, string addition, string? refusal)
    {
        var why = Gate.Refusal(dependency, addition);

        if (refusal is null)
            Assert.Null(why);
        else
            Assert.True(why?.Contains(refusal, StringComparison.Ordinal) == true, why);
    }
}
