using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Providers;

namespace Reconciler.Tests.Engine;

/// <summary>
/// What the pull requests' edits take away is what the removal gate judged, and no more: read back from the edited
/// policy files themselves, not from the findings' subjects.
/// </summary>
public sealed class RemovalEditTests
{
    private static readonly DateTimeOffset Now = DriftEngineTests.Now;
    private static readonly ProviderKnowledge Snapshot = new(ProviderSnapshot.Default);

    /// <summary>
    /// Generated rules of one dependency, some pinned, sharing destinations (a destination a pinned rule keeps may also
    /// sit in a rule that is not pinned), some of them in use. After every pull request of the plan is applied: each
    /// pinned rule is as it was, and every address in use is still admitted. The positive control: a destination only
    /// unpinned rules hold and nothing uses is removed. Replay one with RECONCILER_PINNED_SEED=N RECONCILER_PINNED_CASES=1.
    /// </summary>
    [Fact]
    public void No_edit_touches_a_pinned_rule_and_no_address_in_use_loses_its_rule()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_PINNED_SEED"), out var s) ? s : 20261207;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_PINNED_CASES"), out var c) ? c : 60;
        var removed = 0;
        for (var seed = first; seed < first + cases; seed++)
        {
            var random = new Random(seed);
            var pool = Enumerable.Range(50, 6).Select(n => $"192.0.2.{n}").ToList();
            var inUse = pool.Where(_ => random.Next(4) == 0).Append("192.0.2.10").ToList();
            var rules = Enumerable.Range(0, random.Next(2, 5)).Select(i => (Pinned: i > 0 && random.Next(3) == 0,
                Destinations: (i == 0 ? ["192.0.2.10"] : new List<string>()).Concat(pool.Where(_ => random.Next(2) == 0)).DefaultIfEmpty(pool[random.Next(pool.Count)]).Distinct().ToList())).ToList();
            var yaml = $"""
                dependencies:
                  - name: d0
                    hosts: [d0.example.test]
                allowlists:
                  - name: egress
                    kind: iptables
                    rules:
                {string.Concat(rules.Select(r => $"      - dependency: d0\n{(r.Pinned ? "        pinned: true\n" : "")}        destinations: [{string.Join(", ", r.Destinations)}]\n"))}
                settings:
                  stale_after: 4d
                  max_removal_share: 100%
                """;
            var policies = DriftEngineTests.Parse(yaml);
            var observations = DriftEngineTests.Observations([$"d0.example.test A Answer {string.Join(",", inUse)}"]);

            var findings = FindingPipeline.Run(policies, Observed.DnsOnly(observations), DriftEngineTests.Daily(observations, days: 6), Snapshot, Now);
            var plan = Planner.Plan(policies, findings);

            var edited = Apply(policies, plan);
            var context = $"seed {seed} (RECONCILER_PINNED_SEED={seed} RECONCILER_PINNED_CASES=1), in use {string.Join(", ", inUse)}\n{yaml}\n{string.Join("\n", plan.PullRequests.Select(p => p.Diff))}";
            var before = policies.FindAllowlist("egress")!.Rules;
            var after = edited.FindAllowlist("egress")!.Rules;
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++)
            {
                if (before[i].Pinned)
                    Assert.True(Destinations(before[i]).SequenceEqual(Destinations(after[i])), $"{context}\nthe pinned rule at {before[i].Location} was edited");
            }
            foreach (var address in inUse)
                Assert.True(after.Any(r => Destinations(r).Contains(address)), $"{context}\n{address} is in use and no rule admits it after the plan");
            removed += before.Sum(r => r.Destinations.Count) - after.Sum(r => r.Destinations.Count);
        }
        Assert.True(cases == 1 || removed > 0, $"the generator must offer removable destinations (none removed in {cases} cases)");
    }

    /// <summary>
    /// A removal that names both an allowlist and a prefix set is judged by the gate for the allowlist's dependency,
    /// but the prefix set's pull request would take it from the set every user shares. A shard (README "Large estates:
    /// shards") has only that dependency: the other user, who resolves into the prefix, is not there to refuse it.
    /// Such a removal is refused whichever way it would be planned; the positive control is the same removal naming
    /// the set alone, refused only because the other user's proof is missing from the merged report.
    /// </summary>
    [Fact]
    public void A_removal_naming_both_an_allowlist_and_a_prefix_set_is_refused()
    {
        var policies = DriftEngineTests.Parse("""
            dependencies:
              - name: d0
                hosts: [d0.example.test]
              - name: d1
                hosts: [d1.example.test]
            prefix_sets:
              - name: gh
                provider: { name: github, service: api }
                prefixes: [140.82.112.0/20, 143.55.64.0/20, 185.199.108.0/22, 192.30.252.0/22, 198.18.1.0/24]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: d0
                    prefix_set: gh
                  - dependency: d0
                    destinations: [192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5, 192.0.2.6, 192.0.2.7, 192.0.2.8]
                  - dependency: d1
                    prefix_set: gh
            settings:
              stale_after: 4d
            """);
        var shard = policies.Only(d => d == "d0");
        // d0 uses all its own destinations, so that the one removal is far under the threshold.
        var observations = DriftEngineTests.Observations(["d0.example.test A Answer 140.82.112.10,192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5,192.0.2.6,192.0.2.7,192.0.2.8"]);
        Finding Injected(string? allowlist) => new()
        {
            Kind = FindingKind.ProviderRangeRemoved, Severity = Severity.Low, Dependency = "d0", Allowlist = allowlist, PrefixSet = "gh",
            Subject = "198.18.1.0/24", Message = "injected.", Action = FindingAction.PullRequest,
        };

        IReadOnlyList<Finding> Run(Finding injected) =>
            RemovalSafety.Hold(policies, FindingPipeline.Run(shard, new Observed(observations, new ObserverResult([injected], [])), DriftEngineTests.Daily(observations, days: 6), Snapshot, Now));

        var both = Assert.Single(Run(Injected("egress")), f => f.Message.StartsWith("injected.", StringComparison.Ordinal));
        Assert.Equal((FindingAction.None, RemovalKept.Unproven), (both.Action, both.Kept));
        Assert.Empty(Planner.Plan(policies, [both]).PullRequests);
        // The positive control: the shard's own proof carries the set's removal for d0, and only the merged recheck refuses it, for d1.
        var gated = Assert.Single(FindingPipeline.Run(shard, new Observed(observations, new ObserverResult([Injected(null)], [])), DriftEngineTests.Daily(observations, days: 6), Snapshot, Now),
            f => f.Message.StartsWith("injected.", StringComparison.Ordinal));
        Assert.Equal(FindingAction.PullRequest, gated.Action);
        var setOnly = Assert.Single(RemovalSafety.Hold(policies, [gated]));
        Assert.Equal(FindingAction.None, setOnly.Action);
        Assert.Contains(setOnly.Evidence, e => e.Detail.Contains("no proof in the report covers d1", StringComparison.Ordinal));
    }

    /// <summary>
    /// Removals injected as another stage's findings (as a rule that wrote its subject its own way would make them),
    /// each destination spelt in a random one of its forms: IPv6 upper case or uncompressed, a single address as a /32
    /// or /128, an IPv4 address as IPv4-mapped IPv6. What the dependency resolves to stays admitted whatever the
    /// spelling, and the edit takes what the finding names however it is spelt: the positive control is the unused
    /// destination, which goes. Replay one with RECONCILER_SPELLING_SEED=N RECONCILER_SPELLING_CASES=1.
    /// </summary>
    [Fact]
    public void A_removal_spelt_in_any_form_takes_what_it_names_and_never_what_is_in_use()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_SPELLING_SEED"), out var s) ? s : 20261207;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_SPELLING_CASES"), out var c) ? c : 40;
        var policies = DriftEngineTests.Parse("""
            dependencies:
              - name: d0
                hosts: [d0.example.test]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: d0
                    destinations: [192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5, 192.0.2.6, 192.0.2.10, 192.0.2.53, "2001:db8::5", "2001:db8::ab"]
            settings:
              stale_after: 4d
              max_removal_share: 100%
            """);
        string[] inUse = ["192.0.2.10", "2001:db8::5"];
        string[] unused = ["192.0.2.53", "2001:db8::ab"];
        var observations = DriftEngineTests.Observations(["d0.example.test A Answer 192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5,192.0.2.6,192.0.2.10", "d0.example.test AAAA Answer 2001:db8::5"]);
        var memory = DriftEngineTests.Daily(observations, days: 6);
        for (var seed = first; seed < first + cases; seed++)
        {
            var random = new Random(seed);
            var injected = inUse.Concat(unused).Select(a => new Finding
            {
                Kind = FindingKind.StaleIp, Severity = Severity.Low, Dependency = "d0", Allowlist = "egress",
                Subject = Spelt(a, random), Message = "injected.", Action = FindingAction.PullRequest,
            }).ToList();

            var findings = FindingPipeline.Run(policies, new Observed(observations, new ObserverResult(injected, [])), memory, Snapshot, Now);
            var plan = Planner.Plan(policies, findings);
            var after = Destinations(Apply(policies, plan).FindAllowlist("egress")!.Rules.Single());

            var context = $"seed {seed} (RECONCILER_SPELLING_SEED={seed} RECONCILER_SPELLING_CASES=1): {string.Join(", ", injected.Select(f => f.Subject))}\n{string.Join("\n", findings.Where(f => f.Kind.Facts().Effect == FindingEffect.Remove).Select(f => $"{f.Kind} {f.Subject} {f.Action}: {f.Message}"))}\n{string.Join("\n", plan.PullRequests.Select(p => p.Diff))}";
            Assert.All(inUse, a => Assert.True(after.Contains(a), $"{context}\n{a} is in use and was removed"));

            // The planner alone, given the unused ones as proposed removals in these spellings: the edit takes each
            // that names a destination of the rule (an IPv4-mapped spelling names an IPv6 address, not the rule's
            // IPv4 one), and nothing else.
            var proposed = injected.Skip(inUse.Length).ToList();
            var edited = Destinations(Apply(policies, Planner.Plan(policies, proposed)).FindAllowlist("egress")!.Rules.Single());
            var named = proposed.Where(f => !f.Subject.StartsWith("::ffff:", StringComparison.OrdinalIgnoreCase))
                .Select(f => Networks.TryParse(f.Subject, out var n, out _) ? Networks.Format(n) : f.Subject).ToHashSet(StringComparer.Ordinal);
            var before = Destinations(policies.FindAllowlist("egress")!.Rules.Single());
            Assert.True(before.Where(d => !named.Contains(d)).SequenceEqual(edited), $"seed {seed}: removals spelt {string.Join(", ", proposed.Select(f => f.Subject))} left [{string.Join(", ", edited)}]");
        }
    }

    /// <summary>
    /// A wider destination kept on a rule of the same dependency for other ports does not keep the removed one's ports
    /// open: an unproven removal of 192.0.2.10 from the 443 rule is refused although the port-80 rule admits
    /// 192.0.2.0/24. The positive control: the same world with the /24 on a rule of the same ports lets it go, since
    /// nothing is lost.
    /// </summary>
    [Theory]
    [InlineData("[80]", false)]
    [InlineData("[443]", true)]
    public void A_wider_destination_for_other_ports_does_not_cover_a_removal(string otherPorts, bool removed)
    {
        var policies = DriftEngineTests.Parse($$"""
            dependencies:
              - name: d0
                hosts: [d0.example.test]
                ports: [443]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: d0
                    destinations: [192.0.2.10, 192.0.2.11]
                  - dependency: d0
                    ports: {{otherPorts}}
                    destinations: [192.0.2.0/24]
            settings:
              stale_after: 4d
              max_removal_share: 100%
            """);
        // 192.0.2.10 is in use today: no proof can carry its removal.
        var observations = DriftEngineTests.Observations(["d0.example.test A Answer 192.0.2.10,192.0.2.11"]);
        var injected = new Finding
        {
            Kind = FindingKind.StaleIp, Severity = Severity.Low, Dependency = "d0", Allowlist = "egress",
            Subject = "192.0.2.10", Message = "injected.", Action = FindingAction.PullRequest,
        };

        var findings = FindingPipeline.Run(policies, new Observed(observations, new ObserverResult([injected], [])), DriftEngineTests.Daily(observations, days: 6), Snapshot, Now);
        var after = Destinations(Apply(policies, Planner.Plan(policies, findings)).FindAllowlist("egress")!.Rules[0]);

        Assert.Equal(!removed, after.Contains("192.0.2.10"));
    }

    /// <summary>One of the spellings of an address that parse to it (or, IPv4-mapped, to its IPv6 twin).</summary>
    private static string Spelt(string address, Random random)
    {
        var ip = System.Net.IPAddress.Parse(address);
        var v6 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        return random.Next(v6 ? 4 : 3) switch
        {
            0 => address,
            1 => address + (v6 ? "/128" : "/32"),
            2 when v6 => address.ToUpperInvariant(),
            2 => "::ffff:" + address,
            _ => string.Join(':', Enumerable.Range(0, 8).Select(i => ((ip.GetAddressBytes()[2 * i] << 8) | ip.GetAddressBytes()[(2 * i) + 1]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture))),
        };
    }

    /// <summary>
    /// Pull requests are merged one at a time, in any order, or not at all: each alone must keep what is in use
    /// admitted. A provider-tracked dependency whose rule also admits a provider-following prefix set gets the feed's
    /// new prefix through the set's pull request, while its own rule's unpublished prefix around it goes in the
    /// allowlist's pull request: that removal may not count on the other pull request's addition. The positive
    /// control: once the set holds the new prefix, the unpublished one goes.
    /// </summary>
    [Fact]
    public void Each_pull_request_alone_keeps_what_is_in_use_admitted()
    {
        var published = Snapshot.Snapshot.Prefixes.Where(p => p.Provider == "github" && p.Service == "api").Select(p => Networks.Format(p.Prefix)).Distinct().ToList();
        string Policies(bool setHasIt) => $"""
            dependencies:
              - name: d0
                hosts: [d0.example.test]
                track: provider
                provider: {"{"} name: github, service: api {"}"}
            prefix_sets:
              - name: gh
                provider: {"{"} name: github, service: api {"}"}
                prefixes: [{string.Join(", ", published.Where(p => setHasIt || p != "140.82.112.0/20").Select(p => p.Contains(':', StringComparison.Ordinal) ? $"\"{p}\"" : p))}]
            allowlists:
              - name: egress
                kind: iptables
                rules:
                  - dependency: d0
                    prefix_set: gh
                  - dependency: d0
                    destinations: [140.82.0.0/16, 143.55.64.0/20]
            settings:
              stale_after: 4d
              max_removal_share: 100%
            """;
        var observations = DriftEngineTests.Observations(["d0.example.test A Answer 140.82.112.6"]);
        var memory = DriftEngineTests.Daily(observations, days: 6);
        (ChangePlan Plan, PolicySet Policies) Run(bool setHasIt)
        {
            var policies = DriftEngineTests.Parse(Policies(setHasIt));
            return (Planner.Plan(policies, FindingPipeline.Run(policies, Observed.DnsOnly(observations), memory, Snapshot, Now)), policies);
        }

        var (plan, policies) = Run(setHasIt: false);
        Assert.Contains(plan.PullRequests, pr => pr.Added.Contains("140.82.112.0/20"));
        foreach (var pr in plan.PullRequests)
        {
            var alone = Apply(policies, new ChangePlan([pr], []));
            var admitted = alone.FindAllowlist("egress")!.Rules.SelectMany(r => r.Admits).Any(d => d.Value.Contains(System.Net.IPAddress.Parse("140.82.112.6")));
            Assert.True(admitted, $"merged alone, {pr.Branch} ({pr.Title}) leaves 140.82.112.6, which d0 resolves to, unadmitted:\n{pr.Diff}");
        }
        var (after, _) = Run(setHasIt: true);
        Assert.Contains(after.PullRequests, pr => pr.Removed.Contains("140.82.0.0/16"));
    }

    /// <summary>Every pull request's edits at once, as merging them all would leave the files (they touch different rules).</summary>
    private static PolicySet Apply(PolicySet policies, ChangePlan plan)
    {
        var edits = plan.PullRequests.SelectMany(p => p.Edits).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToList());
        var text = policies.Sources["p.yaml"];
        return DriftEngineTests.Parse(edits.TryGetValue("p.yaml", out var e) ? Reconciler.Yaml.YamlTextEdits.Apply(text, e) : text);
    }

    private static List<string> Destinations(AllowlistRule rule) => [.. rule.Destinations.Select(d => Networks.Format(d.Value))];
}
