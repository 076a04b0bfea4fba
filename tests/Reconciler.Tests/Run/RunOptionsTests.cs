using Reconciler.Diagnostics;
using Reconciler.Findings;
using Reconciler.Run;

namespace Reconciler.Tests.Run;

public sealed class RunOptionsTests
{
    private static readonly DateTimeOffset Clock = new(2026, 11, 23, 19, 0, 0, TimeSpan.Zero);

    private static RunOptions Parse(Dictionary<string, string> arguments, Dictionary<string, string>? environment = null) =>
        RunOptions.Parse("Plan", n => arguments.GetValueOrDefault(n), n => environment?.GetValueOrDefault(n), Clock);

    [Fact]
    public void Defaults_follow_the_spec()
    {
        var options = Parse([]);

        Assert.Equal(("policies", "artifacts", Severity.High, "origin/main"), (options.Policies, options.Out, options.FailOn, options.Base));
        Assert.Equal(Clock, options.Now);
        Assert.Equal(Path.Combine("artifacts", "state.json"), options.StatePath);
        Assert.Equal("https://api.github.com", options.GitHubApi);
        Assert.Empty(options.Nameservers);
        Assert.True(options.SystemNameservers);
        Assert.Equal(Shard.Whole, options.Shard);
    }

    [Fact]
    public void Arguments_are_parsed_and_the_environment_fills_github_settings()
    {
        var options = Parse(
            new() { ["nameservers"] = "127.0.0.1:5353, [::1]:5353", ["now"] = "2026-01-02T03:04:05Z", ["fail-on"] = "Medium", ["shard"] = "2/4" },
            new() { ["GITHUB_API_URL"] = "https://ghe.example/api/v3", ["GITHUB_REPOSITORY"] = "acme/policies" });

        Assert.Equal(["127.0.0.1:5353", "[::1]:5353"], options.Nameservers.Select(n => n.ToString()));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), options.Now);
        Assert.Equal(Severity.Medium, options.FailOn);
        Assert.Equal(new Shard(2, 4), options.Shard);
        Assert.Equal(("https://ghe.example/api/v3", "acme/policies"), (options.GitHubApi, options.Repository));
    }

    [Fact]
    public void Runner_environment_says_whether_this_is_a_github_hosted_runner()
    {
        Assert.True(Parse(new(), new() { ["RUNNER_ENVIRONMENT"] = "github-hosted" }).GitHubHostedRunner);
        Assert.False(Parse(new(), new() { ["RUNNER_ENVIRONMENT"] = "self-hosted" }).GitHubHostedRunner);
        Assert.False(Parse(new()).GitHubHostedRunner);
    }

    [Fact]
    public void Options_built_in_code_ask_only_the_servers_they_name_never_the_system()
    {
        var options = new RunOptions { Target = "Plan", Now = Clock, Nameservers = [Reconciler.Dns.Transport.NameServer.Parse("127.0.0.1:5353")] };

        Assert.False(options.SystemNameservers);
    }

    [Theory]
    [InlineData("127.0.0.1:5353", false, "127.0.0.1:5353")]
    [InlineData("system", true, "")]
    [InlineData("system, tcp:[::1]:5353", true, "tcp:[::1]:5353")]
    public void Nameservers_may_name_the_system_resolvers_and_servers_to_ask_over_tcp(string argument, bool system, string servers)
    {
        var options = Parse(new() { ["nameservers"] = argument });

        Assert.Equal((system, servers), (options.SystemNameservers, string.Join(",", options.Nameservers)));
    }

    [Theory]
    [InlineData("fail-on", "urgent", "argument --fail-on: 'urgent' is not a severity; use low, medium, high or critical")]
    [InlineData("fail-on", "2", "argument --fail-on: '2' is not a severity; use low, medium, high or critical")]
    [InlineData("now", "yesterday", "argument --now: 'yesterday' is not an ISO-8601 time (e.g. 2026-11-23T06:00:00Z)")]
    [InlineData("shard", "5/4", "argument --shard: '5/4' is not I/N with 1 <= I <= N (e.g. 2/4)")]
    [InlineData("shard", "0/1", "argument --shard: '0/1' is not I/N with 1 <= I <= N (e.g. 2/4)")]
    [InlineData("nameservers", "127.0.0.1:5353,dns.example", "argument --nameservers: 'dns.example' is not system, IP, IP:PORT or [IPv6]:PORT (tcp: before it for TCP only)")]
    public void Bad_arguments_are_exit_code_2_with_the_argument_named(string name, string value, string message)
    {
        var e = Assert.Throws<ReconcilerException>(() => Parse(new() { [name] = value }));

        Assert.Equal((ExitCodes.InvalidInput, message), (e.ExitCode, e.Message));
    }

    [Fact]
    public void Exit_codes_are_found_inside_the_wrappers_cake_adds()
    {
        var ours = new InvalidPolicyException([]);

        Assert.Equal(2, ExitCodes.For(new InvalidOperationException("task failed", ours)));
        Assert.Equal(2, ExitCodes.For(new AggregateException(ours)));
        Assert.Equal(3, ExitCodes.For(new IOException("disk full")));
        Assert.Equal("the run failed: IOException: disk full (--verbosity=diagnostic shows where)", ExitCodes.Describe(new AggregateException(new IOException("disk full"))));
    }
}
