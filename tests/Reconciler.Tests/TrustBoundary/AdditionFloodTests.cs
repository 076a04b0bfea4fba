using Reconciler.Dns.Resolution;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Loading;
using Reconciler.Providers;
using Reconciler.Tests.Engine;

namespace Reconciler.Tests.TrustBoundary;

/// <summary>Floods of DNS-derived additions at the edge of settings.max_new_addresses, through the real pipeline and planner.</summary>
public sealed class AdditionFloodTests
{
    private static (IReadOnlyList<Finding> Findings, ChangePlan Plan) Planned(int answers, string settings = "", string chain = "")
    {
        var policies = DriftEngineTests.Parse($"""
            dependencies:
              - name: api
                hosts: [api.example.test]
              - name: calm
                hosts: [calm.example.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: api
                    destinations: [192.0.2.1]
                  - dependency: calm
                    destinations: [192.0.2.2]
            {settings}
            """);
        var addresses = Enumerable.Range(0, answers).Select(i => new ObservedAddress($"198.18.{i / 250}.{(i % 250) + 1}", 60)).ToList();
        var set = new ObservationSet(DriftEngineTests.Now, ["127.0.0.1:53"],
        [
            new Observation("api.example.test", "A", "127.0.0.1:53", DnsOutcome.Answer, chain.Length == 0 ? [] : [chain], addresses, DriftEngineTests.Now, 1),
            new Observation("calm.example.test", "A", "127.0.0.1:53", DnsOutcome.Answer, [], [new ObservedAddress("198.51.100.9", 60)], DriftEngineTests.Now, 1),
        ]);
        var findings = FindingPipeline.Run(policies, Observed.DnsOnly(set), DriftMemory.Empty.Remember(set, DriftEngineTests.Now), new ProviderKnowledge(ProviderSnapshot.Default), DriftEngineTests.Now);
        return (findings, Planner.Plan(policies, findings));
    }

    [Fact]
    public void Thirty_two_new_addresses_are_proposed()
    {
        var (findings, plan) = Planned(32);

        Assert.DoesNotContain(findings, f => f.Kind == FindingKind.AdditionHeld);
        Assert.Equal(32, Assert.Single(plan.PullRequests, p => p.Dependency == "api").Added.Count);
    }

    [Fact]
    public void Thirty_three_are_held_as_one_issue_listing_them_and_the_other_rule_still_gets_its_pull_request()
    {
        var (findings, plan) = Planned(33);

        Assert.DoesNotContain(plan.PullRequests, p => p.Dependency == "api");
        Assert.Equal(["198.51.100.9"], Assert.Single(plan.PullRequests, p => p.Dependency == "calm").Added);
        var held = Assert.Single(findings, f => f.Kind == FindingKind.AdditionHeld);
        Assert.Equal((FindingAction.Issue, Severity.High, "egress", "api"), (held.Action, held.Severity, held.Allowlist, held.Dependency));
        Assert.Equal(33, held.Evidence.Count);
        Assert.Contains("over max_new_addresses (32)", held.Message, StringComparison.Ordinal);
        Assert.All(findings.Where(f => f.Kind == FindingKind.MissingIp && f.Dependency == "api"), f => Assert.Equal(FindingAction.None, f.Action));
        Assert.Single(plan.Issues, i => i.Finding.Kind == FindingKind.AdditionHeld);
    }

    [Fact]
    public void A_cname_to_six_hundred_addresses_gives_no_pull_request_of_six_hundred()
    {
        var (findings, plan) = Planned(600, chain: "big.example.test");

        Assert.DoesNotContain(plan.PullRequests, p => p.Dependency == "api");
        Assert.Equal(600, Assert.Single(findings, f => f.Kind == FindingKind.AdditionHeld).Evidence.Count);
    }

    [Theory]
    [InlineData(5, 5, false)]
    [InlineData(5, 6, true)]
    [InlineData(0, 1, true)]
    [InlineData(600, 600, false)]
    public void The_setting_moves_the_edge(int limit, int answers, bool held)
    {
        var (findings, _) = Planned(answers, settings: $"settings:\n  max_new_addresses: {limit}");

        Assert.Equal(held, findings.Any(f => f.Kind == FindingKind.AdditionHeld));
    }

    [Fact]
    public void Refused_answers_do_not_count_towards_the_flood()
    {
        // 40 answers of which 10 are loopback: 30 proposable, under 32.
        var policies = DriftEngineTests.Parse("dependencies:\n  - name: api\n    hosts: [api.example.test]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: api\n        destinations: [192.0.2.1]\n");
        var addresses = Enumerable.Range(1, 30).Select(i => $"198.18.0.{i}").Concat(Enumerable.Range(1, 10).Select(i => $"127.0.0.{i}")).Select(a => new ObservedAddress(a, 60)).ToList();
        var set = new ObservationSet(DriftEngineTests.Now, ["127.0.0.1:53"], [new Observation("api.example.test", "A", "127.0.0.1:53", DnsOutcome.Answer, [], addresses, DriftEngineTests.Now, 1)]);
        var findings = FindingPipeline.Run(policies, Observed.DnsOnly(set), DriftMemory.Empty.Remember(set, DriftEngineTests.Now), new ProviderKnowledge(ProviderSnapshot.Default), DriftEngineTests.Now);

        Assert.Equal(30, Assert.Single(Planner.Plan(policies, findings).PullRequests).Added.Count);
        Assert.Equal(10, findings.Count(f => f.Kind == FindingKind.AdditionRefused));
    }

    /// <summary>A crafted feed for aws AMAZON us-east-1: 40 global prefixes, and three the gate must refuse.</summary>
    private static ProviderKnowledge CraftedFeed() => new(ProviderSnapshot.Parse(
        "#feed\taws\t2026-12-07\t1\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"aws\tAMAZON\tus-east-1\t54.{i}.0.0/16\n"))
        + "aws\tAMAZON\tus-east-1\t10.0.0.0/8\naws\tAMAZON\tus-east-1\t169.254.169.254/32\naws\tAMAZON\tus-east-1\t0.0.0.0/0\n"));

    [Theory]
    [InlineData("      - dependency: aws\n        destinations: [54.100.0.0/16]\n", "egress")]
    [InlineData("      - dependency: aws\n        prefix_set: aws-use1\n", "prefix set aws-use1")]
    public void Provider_prefixes_pass_the_same_gate_and_are_not_held_as_a_flood(string rule, string into)
    {
        var policies = DriftEngineTests.Parse($"""
            dependencies:
              - name: aws
                hosts: [sns.example.test]
                track: provider
                provider: {"{"} name: aws, service: AMAZON, region: us-east-1 {"}"}
            prefix_sets:
              - name: aws-use1
                provider: {"{"} name: aws, service: AMAZON, region: us-east-1 {"}"}
                prefixes: [54.0.0.0/16]
            allowlists:
              - name: egress
                kind: iptables
                rules:
            {rule}
            """);
        var set = DriftEngineTests.Observations(["sns.example.test A Answer 54.1.2.3"]);

        var findings = FindingPipeline.Run(policies, Observed.DnsOnly(set), DriftMemory.Empty.Remember(set, DriftEngineTests.Now), CraftedFeed(), DriftEngineTests.Now);
        var plan = Planner.Plan(policies, findings);

        // The set is defined in both cases, so its drift is refused too when a rule lists prefixes itself.
        var refused = findings.Where(f => f.Kind == FindingKind.AdditionRefused && f.Message.Contains($"so it is not proposed for {into} ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["0.0.0.0/0", "10.0.0.0/8", "169.254.169.254"], refused.Select(f => f.Subject).Order(StringComparer.Ordinal));
        Assert.All(refused, f => Assert.Equal((Severity.High, FindingAction.Issue), (f.Severity, f.Action)));
        Assert.DoesNotContain(findings, f => f.Kind == FindingKind.AdditionHeld);
        // The positive control: every global prefix the feed publishes and the policy lacks is proposed, over 32 of them.
        var lacking = Enumerable.Range(into == "egress" ? 0 : 1, into == "egress" ? 40 : 39).Select(i => $"54.{i}.0.0/16").ToList();
        Assert.Equal(lacking.Order(StringComparer.Ordinal), plan.PullRequests.Where(p => into == "egress" ? p.Allowlist == "egress" : p.Dependency == "aws-use1").SelectMany(p => p.Added).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("max_new_addresses: -1", "'max_new_addresses' must be from 0 to 100000, not -1")]
    [InlineData("max_new_addresses: lots", "'max_new_addresses' must be a whole number, not 'lots'")]
    public void A_bad_setting_is_an_error_at_its_place(string setting, string message)
    {
        var result = PolicyParser.Parse([new PolicySource("p.yaml", $"settings:\n  {setting}\n")]);

        var error = Assert.Single(result.Errors);
        Assert.Equal((2, 22), (error.Location.Line, error.Location.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
