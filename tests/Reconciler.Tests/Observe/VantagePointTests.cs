using Reconciler.Dns.Resolution;
using Reconciler.Findings;
using Reconciler.Observe;

namespace Reconciler.Tests.Observe;

/// <summary>When a run saw the estate's DNS, and when its outbound checks describe the estate rather than GitHub's runner.</summary>
public sealed class VantagePointTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static Observation Said(string server, DnsOutcome outcome) =>
        new("www.example.test", "A", server, outcome, [], [], At, 1.0);

    private static ObservationSet Of(params Observation[] observations) => new(At, ["127.0.0.1:53", "127.0.0.2:53"], observations);

    [Fact]
    public void Only_a_run_where_every_query_went_unanswered_saw_nothing()
    {
        Assert.True(VantagePoint.NoServerAnswered(Of(Said("127.0.0.1:53", DnsOutcome.Timeout), Said("127.0.0.2:53", DnsOutcome.Timeout))));
        // Any reply at all is a working vantage point, whatever it says.
        foreach (var answered in new[] { DnsOutcome.ServFail, DnsOutcome.Refused, DnsOutcome.NxDomain, DnsOutcome.NoData, DnsOutcome.Answer, DnsOutcome.Malformed, DnsOutcome.OtherError })
            Assert.False(VantagePoint.NoServerAnswered(Of(Said("127.0.0.1:53", DnsOutcome.Timeout), Said("127.0.0.2:53", answered))), answered.ToString());
        // Nothing asked is not a failure of the servers.
        Assert.False(VantagePoint.NoServerAnswered(Of()));
    }

    [Theory]
    [InlineData("github-hosted", true)]
    [InlineData("GitHub-Hosted", true)]
    [InlineData("self-hosted", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_github_hosted_runner_is_known_by_runner_environment(string? value, bool hosted) =>
        Assert.Equal(hosted, VantagePoint.IsGitHubHostedRunner(value));

    [Fact]
    public void On_a_github_hosted_runner_outbound_findings_become_notes_and_the_probes_stay_measured()
    {
        var egress = new Finding
        {
            Kind = FindingKind.EgressIpDrift, Severity = Severity.High, Dependency = "legacy", Subject = "198.51.100.77",
            Message = "identity legacy leaves from 198.51.100.77", Action = FindingAction.Issue,
        };
        var probe = new ProbeSample("gmc-api", new Uri("https://partner.example.test/"), "192.0.2.10", 403, true, null, TimeSpan.FromMilliseconds(3));
        var outbound = new ObserverResult([egress], ["an earlier note"]) { Probes = [probe] };

        var onRunner = VantagePoint.OnGitHubHostedRunner(outbound);

        Assert.Empty(onRunner.Findings);
        Assert.Equal(["an earlier note", "on a GitHub-hosted runner, not an issue (it describes the runner, not the estate): egress-ip-drift legacy 198.51.100.77: identity legacy leaves from 198.51.100.77"], onRunner.Notes);
        Assert.Equal([probe], onRunner.Probes);
    }
}
