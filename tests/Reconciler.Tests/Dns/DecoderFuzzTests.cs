using Reconciler.Fuzz;

namespace Reconciler.Tests.Dns;

/// <summary>A slice of the fuzz harness (tests/Reconciler.Fuzz runs a million packets; this runs 50,000 per seed).</summary>
public sealed class DecoderFuzzTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Random_and_mutated_packets_only_ever_raise_a_format_error(int seed)
    {
        var result = new DnsDecoderFuzzer(seed).Run(50_000);

        Assert.Empty(result.Failures.Select(f => $"{f.Exception} {f.Hex}"));
        Assert.True(result.Decoded > 1_000, $"only {result.Decoded} packets decoded: the mutations no longer reach deep into the decoder");
        Assert.True(result.Refused > 10_000, $"only {result.Refused} refused: the mutations no longer break anything");
    }
}
