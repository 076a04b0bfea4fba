using Reconciler.Policies.Loading;
using Reconciler.Policies.Validation;

namespace Reconciler.Tests.Policies;

/// <summary>Values as an attacker or a tired person writes them: each is refused with a reason, or read exactly.</summary>
public sealed class HostileValueTests
{
    [Theory]
    [InlineData("1h")]
    [InlineData("60m")]
    [InlineData("3650d")]
    [InlineData("521w")]
    public void Durations_from_one_hour_to_ten_years_are_accepted(string text) =>
        Assert.True(Durations.TryParse(text, out _, out var error), error);

    [Theory]
    [InlineData("0d", "'0d' is out of range: durations lie between one hour (1h) and ten years (3650d)")]
    [InlineData("59m", "'59m' is out of range: durations lie between one hour (1h) and ten years (3650d)")]
    [InlineData("3651d", "'3651d' is out of range: durations lie between one hour (1h) and ten years (3650d)")]
    [InlineData("100000w", "'100000w' is out of range: durations lie between one hour (1h) and ten years (3650d)")]
    [InlineData("999999999999w", "'999999999999w' is out of range: durations lie between one hour (1h) and ten years (3650d)")]
    [InlineData("14\u0661d", "'14\u0661d' is not a duration; write a number and a unit (s, m, h, d, w), e.g. 14d or 36h")]
    [InlineData(" 14d", "' 14d' is not a duration; write a number and a unit (s, m, h, d, w), e.g. 14d or 36h")]
    public void Durations_out_of_range_or_in_other_digits_are_refused(string text, string message)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void A_key_with_its_own_range_can_ask_for_it()
    {
        Assert.True(Durations.TryParse("30s", TimeSpan.Zero, Durations.Longest, out var ttl, out _));
        Assert.Equal(TimeSpan.FromSeconds(30), ttl);
    }

    [Theory]
    [InlineData("api.example\0")]
    [InlineData("\0")]
    [InlineData("api\u0007.example")]
    [InlineData("api.exa\u202emple")]
    [InlineData("api\u200b.example")]
    [InlineData("api.example\u0085")]
    public void Host_names_with_control_or_format_characters_are_refused(string text)
    {
        Assert.False(HostNames.TryNormalize(text, out _, out var error));
        Assert.Contains("holds the control character U+", error, StringComparison.Ordinal);
        Assert.DoesNotContain(error, c => char.IsControl(c));
    }

    [Fact]
    public void Twelve_thousand_small_dependencies_without_anchors_are_valid()
    {
        var text = "dependencies:\n" + string.Concat(Enumerable.Range(0, 12_000).Select(i => $"  - name: dep-{i}\n    hosts: [h{i}.example.com]\n    ports: [443, 8443]\n"));

        var result = PolicyParser.Parse([new PolicySource("big.yaml", text)]);

        Assert.True(result.IsValid, string.Join("\n", result.Errors.Take(3)));
        Assert.Equal(12_000, result.Policies!.Dependencies.Count);
    }

    [Fact]
    public void Aliases_are_counted_by_what_they_expand_to_not_by_the_nodes_of_the_file()
    {
        // 50 aliases to a 3,000-node list: 150,000 expanded nodes from a file of a few kilobytes.
        var items = string.Join(", ", Enumerable.Range(0, 2_999).Select(i => $"h{i}"));
        var text = $"shared: &hosts [{items}]\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"k{i}: *hosts\n"));

        var result = PolicyParser.Parse([new PolicySource("aliases.yaml", text)]);

        Assert.Contains(result.Errors, e => e.Message.Contains("aliases expand to more than 100,000 nodes", StringComparison.Ordinal) && e.Location.Line == 35);
    }

    [Fact]
    public void Block_nesting_deeper_than_the_pre_scan_sees_is_still_refused_by_the_reader()
    {
        // A list under a key at the same indentation is one level the pre-scan does not count.
        var text = string.Concat(Enumerable.Range(0, 40).Select(i => new string(' ', i * 2) + "k:\n" + new string(' ', i * 2) + "- \n")) + new string(' ', 80) + "x: 1\n";

        var result = PolicyParser.Parse([new PolicySource("deep.yaml", text)]);

        Assert.Contains(result.Errors, e => e.Message.StartsWith("nesting deeper than 64 levels", StringComparison.Ordinal));
    }
}
