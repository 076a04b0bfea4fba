using Reconciler.Fuzz;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Policies;

/// <summary>A slice of the policy fuzzer (tests/Reconciler.Fuzz runs 100,000 cases: <c>-- policies 100000</c>).</summary>
public sealed class PolicyFuzzTests
{
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Mutated_policies_are_valid_or_invalid_with_errors_inside_the_file(int seed)
    {
        var result = new PolicyFuzzer(seed, PolicyFuzzer.RepositorySeeds(RepoPaths.Root)).Run(2_000);

        Assert.Empty(result.Failures.Select(f => $"case {f.Case} ({f.Seed}; {f.Mutations}): {f.Problem}"));
        Assert.True(result.Valid > 20, $"only {result.Valid} valid: the mutations no longer leave anything intact");
        Assert.True(result.Invalid > 500, $"only {result.Invalid} invalid: the mutations no longer reach the parser");
        Assert.True(result.RefusedByGate > 100, $"only {result.RefusedByGate} refused by the gate");
    }

    [Fact]
    public void A_case_replays_from_its_seed_and_number()
    {
        var seeds = PolicyFuzzer.RepositorySeeds(RepoPaths.Root);

        Assert.Equal(new PolicyFuzzer(5, seeds).Case(1234).Bytes, new PolicyFuzzer(5, seeds).Case(1234).Bytes);
        Assert.NotEqual(new PolicyFuzzer(5, seeds).Case(1234).Bytes, new PolicyFuzzer(6, seeds).Case(1234).Bytes);
    }
}
