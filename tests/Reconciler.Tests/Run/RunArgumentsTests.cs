using Reconciler.Diagnostics;
using Reconciler.Run;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Run;

/// <summary>The declaration of the command line, what reads it, and the README table: the three cannot drift apart.</summary>
public sealed class RunArgumentsTests
{
    private static readonly DateTimeOffset Clock = new(2026, 11, 23, 19, 0, 0, TimeSpan.Zero);

    private static RunOptions Parse(Dictionary<string, string> arguments) =>
        RunOptions.Parse("Plan", n => arguments.GetValueOrDefault(n), _ => null, Clock);

    [Fact]
    public void The_readme_table_is_the_declaration()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("| argument | default | meaning |", readme.IndexOf("## Arguments", StringComparison.Ordinal), StringComparison.Ordinal);
        var end = readme.IndexOf("\n\n", start, StringComparison.Ordinal);

        Assert.Equal(RunArguments.MarkdownTable().TrimEnd('\n'), readme[start..end]);
    }

    [Fact]
    public void Parse_reads_every_declared_argument_and_nothing_else()
    {
        var asked = new HashSet<string>(StringComparer.Ordinal);
        RunOptions.Parse("Plan", n => { asked.Add(n); return null; }, _ => null, Clock);

        Assert.Equal(RunArguments.All.Select(a => a.Name).Order(StringComparer.Ordinal), asked.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("polices", "argument --polices: Reconciler has no such argument; did you mean --policies? (dotnet cake --target=Help lists them)")]
    [InlineData("nameserver", "argument --nameserver: Reconciler has no such argument; did you mean --nameservers? (dotnet cake --target=Help lists them)")]
    [InlineData("failon", "argument --failon: Reconciler has no such argument; did you mean --fail-on? (dotnet cake --target=Help lists them)")]
    [InlineData("colour", "argument --colour: Reconciler has no such argument (dotnet cake --target=Help lists them)")]
    public void An_unknown_argument_is_exit_2_with_a_did_you_mean(string name, string message)
    {
        var e = Assert.Throws<ReconcilerException>(() => RunArguments.CheckNames([new(name, 1)]));

        Assert.Equal((ExitCodes.InvalidInput, message), (e.ExitCode, e.Message));
    }

    [Theory]
    [InlineData("target")]
    [InlineData("Policies")]
    [InlineData("verbosity")]
    [InlineData("Settings_NoReport")]
    [InlineData("paths_tools")]
    [InlineData("invalidate-script-cache")]
    public void Cake_options_its_configuration_and_any_case_of_ours_pass(string name) => RunArguments.CheckNames([new(name, 1)]);

    [Fact]
    public void An_argument_given_twice_is_refused()
    {
        var e = Assert.Throws<ReconcilerException>(() => RunArguments.CheckNames([new("out", 2)]));

        Assert.Equal("argument --out: given 2 times; give it once", e.Message);
    }

    [Theory]
    [InlineData("policies", " ", "argument --policies: the value is empty; give --policies=DIR, or leave the argument out for its default")]
    [InlineData("out", "", "argument --out: the value is empty; give --out=DIR, or leave the argument out for its default")]
    [InlineData("nameservers", ",", "argument --nameservers: ',' names no server to ask; give IP[:PORT],… or system")]
    [InlineData("nameservers", " , ,", "argument --nameservers: ' , ,' names no server to ask; give IP[:PORT],… or system")]
    [InlineData("now", "0001-01-01T00:00:00Z", "argument --now: '0001-01-01T00:00:00Z' is out of range: give a time from 1970 to 8999")]
    [InlineData("now", "Dec 1 2026", "argument --now: 'Dec 1 2026' is not an ISO-8601 time (e.g. 2026-11-23T06:00:00Z)")]
    [InlineData("shard", "+1/2", "argument --shard: '+1/2' is not I/N with 1 <= I <= N (e.g. 2/4)")]
    [InlineData("shard", "01/2", "argument --shard: '01/2' is not I/N with 1 <= I <= N (e.g. 2/4)")]
    [InlineData("pull-request", "-3", "argument --pull-request: '-3' is not a pull request number")]
    public void Empty_and_out_of_range_values_are_exit_2_naming_the_argument(string name, string value, string message)
    {
        var e = Assert.Throws<ReconcilerException>(() => Parse(new() { [name] = value }));

        Assert.Equal((ExitCodes.InvalidInput, message), (e.ExitCode, e.Message));
    }

    [Theory]
    [InlineData("2026-11-23T06:00:00Z")]
    [InlineData("2026-11-23T06:00:00.0000000+00:00")]
    [InlineData("2026-11-23T07:00+01:00")]
    [InlineData("2026-11-23")]
    public void Iso_times_are_read(string now) =>
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), Parse(new() { ["now"] = now }).Now.Date);

    [Fact]
    public void Help_lists_every_argument_with_its_default()
    {
        var help = RunArguments.HelpText();

        Assert.All(RunArguments.All, a => Assert.Contains($"  {a.Usage} ", help, StringComparison.Ordinal));
        Assert.Contains("default: artifacts", help, StringComparison.Ordinal);
        Assert.DoesNotContain("`", help, StringComparison.Ordinal);
    }
}
