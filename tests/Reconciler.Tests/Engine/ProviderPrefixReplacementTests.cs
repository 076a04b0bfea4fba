using System.Net;
using System.Text;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Providers;
using Reconciler.Yaml;

namespace Reconciler.Tests.Engine;

/// <summary>
/// A provider splits, narrows, merges, adds and withdraws prefixes (IPv4 and IPv6); each feed is planned, every
/// would-be pull request is merged, and then: no published prefix is left unadmitted by the prefix set or by the
/// rule, the merged change plans clean, and no over-broad issue is opened for what the same plan removes.
/// Generated feed sequences: RECONCILER_FEED_SEED=N replays one (the failure message prints its steps).
/// </summary>
public sealed class ProviderPrefixReplacementTests
{
    private static readonly IPNetwork Anchor = IPNetwork.Parse("44.192.0.0/11");
    private static readonly ObservationSet Resolving = DriftEngineTests.Observations(
        ["api.example.test A Answer 44.192.0.10", "api.example.test AAAA NoData", "set.example.test A Answer 44.192.0.10", "set.example.test AAAA NoData"]);

    private static readonly IPNetwork[] Start =
        [IPNetwork.Parse("32.192.0.0/12"), IPNetwork.Parse("3.80.0.0/12"), IPNetwork.Parse("52.0.0.0/15"), Anchor,
         IPNetwork.Parse("2600:1f18::/33"), IPNetwork.Parse("2600:1f14::/35")];

    [Fact]
    public void AWS_replacing_32_192_0_0_12_by_two_13s_is_one_change_that_leaves_nothing_unadmitted()
    {
        var before = Start.ToList();
        var after = before.Where(p => !p.Equals(IPNetwork.Parse("32.192.0.0/12"))).Append(IPNetwork.Parse("32.192.0.0/13")).Append(IPNetwork.Parse("32.200.0.0/13")).ToList();
        var text = Policy(before);

        var step = Replay(text, after, new StringBuilder());

        Assert.Equal(["32.192.0.0/13", "32.200.0.0/13"], step.Plan.PullRequests.SelectMany(p => p.Added).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["32.192.0.0/12"], step.Plan.PullRequests.SelectMany(p => p.Removed).Distinct());
        // One pull request per consumer: the set's, and the rule's; each removes and adds in the same change.
        Assert.Equal(2, step.Plan.PullRequests.Count);
        Assert.All(step.Plan.PullRequests, pr => Assert.True(pr.Added.Count == 2 && pr.Removed.Count == 1, pr.Title));
    }

    [Fact]
    public void Generated_feed_sequences_never_leave_published_space_unadmitted_and_every_merge_plans_clean()
    {
        var seeds = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_FEED_SEED"), out var one) ? [one] : Enumerable.Range(20261207, 12).ToArray();
        var (replaced, removed, added) = (0, 0, 0);
        foreach (var seed in seeds)
        {
            var random = new Random(seed);
            var published = Start.ToList();
            var text = Policy(published);
            var log = new StringBuilder($"RECONCILER_FEED_SEED={seed}\n");
            for (var day = 0; day < 30; day++)
            {
                for (var change = random.Next(1, 3); change > 0; change--)
                    log.Append($"day {day}: ").AppendLine(Mutate(random, published));
                var step = Replay(text, published, log);
                text = step.Merged;
                replaced += step.Plan.PullRequests.SelectMany(p => p.Findings).Count(f => f.Kind == FindingKind.ProviderRangeAdded && f.Message.Contains(" in place of ", StringComparison.Ordinal));
                removed += step.Plan.PullRequests.Sum(p => p.Removed.Count);
                added += step.Plan.PullRequests.Sum(p => p.Added.Count);
            }
        }
        // Positive control: the sequences did split and narrow prefixes, and the plans followed them both ways.
        Assert.True(replaced > 10 && removed > 10 && added > 10, $"replaced {replaced}, removed {removed}, added {added}");
    }

    private sealed record Step(ChangePlan Plan, string Merged);

    /// <summary>Plans <paramref name="text"/> against the feed, merges every pull request, and checks the merged policies.</summary>
    private static Step Replay(string text, IReadOnlyList<IPNetwork> published, StringBuilder log)
    {
        var knowledge = Knowledge(published);
        var memory = DriftEngineTests.Daily(Resolving);
        var policies = DriftEngineTests.Parse(text);
        var findings = FindingPipeline.Run(policies, Observed.DnsOnly(Resolving), memory, knowledge, DriftEngineTests.Now);
        var plan = Planner.Plan(policies, findings);
        log.AppendLine($"  feed: {string.Join(" ", published.Select(Networks.Format))}");
        foreach (var pr in plan.PullRequests)
            log.AppendLine($"  {pr.Title} (+{string.Join(" +", pr.Added)} -{string.Join(" -", pr.Removed)}){(pr.Failure is null ? "" : " FAILED " + pr.Failure)}");

        var removing = findings.Where(f => f.Action == FindingAction.PullRequest && f.Kind == FindingKind.ProviderRangeRemoved).Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
        Assert.True(!findings.Any(f => f.Kind == FindingKind.OverBroadRule && removing.Contains(Normal(f.Subject))), $"an over-broad issue for a prefix the same plan removes\n{log}");
        Assert.True(plan.PullRequests.All(p => p.Failure is null), log.ToString());

        var refused = findings.Where(f => f.Kind == FindingKind.AdditionRefused).Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
        var edits = plan.PullRequests.SelectMany(p => p.Edits).Where(e => e.Key == "p.yaml").SelectMany(e => e.Value).ToList();
        var merged = YamlTextEdits.Apply(text, edits);
        var after = DriftEngineTests.Parse(merged);
        var set = after.FindPrefixSet("aws")!.Prefixes.Select(p => p.Value).ToList();
        var rule = after.FindAllowlist("direct")!.Rules.Single().Destinations.Select(d => d.Value).ToList();
        foreach (var (consumer, held) in new[] { ("prefix set aws", set), ("rule of direct", rule) })
        {
            // What the admission gate refuses is never proposed (README "Trust boundary"): it is issues, not unadmitted space.
            var unadmitted = published.Where(p => !refused.Contains(Networks.Format(p))).SelectMany(p => PrefixReplacement.Remainder(p, held)).ToList();
            var about = findings.Where(f => unadmitted.Any(u => f.Subject == Networks.Format(u))).Select(f => $"{f.Kind.ToWire()} {f.Action} {f.Subject}: {f.Message}");
            Assert.True(unadmitted.Count == 0, $"merging left {PrefixReplacement.Size(unadmitted)} of published space unadmitted by the {consumer}: {string.Join(", ", unadmitted.Select(Networks.Format))}\n{string.Join("\n", about)}\n{log}");
        }
        var again = Planner.Plan(after, FindingPipeline.Run(after, Observed.DnsOnly(Resolving), memory, knowledge, DriftEngineTests.Now));
        Assert.True(again.PullRequests.Count == 0, $"the merged change does not plan clean: {string.Join("; ", again.PullRequests.Select(p => p.Title))}\n{log}");
        return new Step(plan, merged);
    }

    private static string Normal(string subject) => Networks.TryParse(subject, out var network, out _) ? Networks.Format(network) : subject;

    /// <summary>One change of the provider's: split, narrow, merge, add or withdraw a prefix (never the anchor the hosts resolve in).</summary>
    private static string Mutate(Random random, List<IPNetwork> published)
    {
        var movable = published.Where(p => !p.Equals(Anchor)).ToList();
        var pick = movable.Count == 0 ? (IPNetwork?)null : movable[random.Next(movable.Count)];
        switch (random.Next(5))
        {
            case 0 or 1 when pick is { } p && p.PrefixLength < Max(p) - 8:
                published.Remove(p);
                published.AddRange(Halves(p));
                return $"split {Networks.Format(p)}";
            case 2 when pick is { } p && p.PrefixLength < Max(p) - 8:
                published.Remove(p);
                var half = Halves(p)[random.Next(2)];
                published.Add(half);
                return $"narrow {Networks.Format(p)} to {Networks.Format(half)}";
            case 3:
                foreach (var p in movable.Where(p => p.PrefixLength > 8))
                {
                    var parent = new IPNetwork(Networks.Mask(p.BaseAddress, p.PrefixLength - 1), p.PrefixLength - 1);
                    var halves = Halves(parent);
                    if (halves.All(published.Contains) && !parent.BaseAddress.Equals(Anchor.BaseAddress))
                    {
                        published.RemoveAll(halves.Contains);
                        published.Add(parent);
                        return $"merge into {Networks.Format(parent)}";
                    }
                }
                return "no siblings to merge";
            case 4 when pick is { } p && movable.Count > 3 && random.Next(2) == 0:
                published.Remove(p);
                return $"withdraw {Networks.Format(p)}";
            default:
                var v6 = random.Next(2) == 0;
                var fresh = v6 ? new IPNetwork(IPAddress.Parse($"2600:1f{random.Next(0x20, 0xff):x2}::"), 32) : new IPNetwork(IPAddress.Parse($"18.{random.Next(256)}.0.0"), 16);
                if (published.Any(p => Networks.Covers(p, fresh) || Networks.Covers(fresh, p)))
                    return "no room to add";
                published.Add(fresh);
                return $"add {Networks.Format(fresh)}";
        }
    }

    private static int Max(IPNetwork p) => p.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;

    private static IPNetwork[] Halves(IPNetwork p)
    {
        var high = p.BaseAddress.GetAddressBytes();
        high[p.PrefixLength / 8] |= (byte)(0x80 >> (p.PrefixLength % 8));
        return [new IPNetwork(p.BaseAddress, p.PrefixLength + 1), new IPNetwork(new IPAddress(high), p.PrefixLength + 1)];
    }

    private static ProviderKnowledge Knowledge(IEnumerable<IPNetwork> published) =>
        new(new ProviderSnapshot([new FeedInfo("aws", "2026-11-23", "1")], [.. published.Select(p => new ProviderPrefix("aws", "AMAZON", "us-east-1", p))]));

    private static string Policy(IEnumerable<IPNetwork> held)
    {
        var items = string.Concat(held.Select(p => Networks.Format(p)).Select(p => p.Contains(':', StringComparison.Ordinal) ? $"\"{p}\"" : p).Select(p => $"\n      - {p}"));
        var ruleItems = items.Replace("\n      - ", "\n          - ", StringComparison.Ordinal);
        return $$"""
            dependencies:
              - name: aws-direct
                hosts: [api.example.test]
                track: provider
                provider: { name: aws, service: AMAZON, region: us-east-1 }
              - name: aws-via-set
                hosts: [set.example.test]
                track: provider
                provider: { name: aws, service: AMAZON, region: us-east-1 }
            prefix_sets:
              - name: aws
                provider: { name: aws, service: AMAZON, region: us-east-1 }
                prefixes:{{items}}
            allowlists:
              - name: direct
                kind: iptables
                rules:
                  - dependency: aws-direct
                    destinations:{{ruleItems}}
              - name: via-set
                kind: iptables
                rules:
                  - dependency: aws-via-set
                    prefix_set: aws
            settings:
              stale_after: 4d
              max_removal_share: 100%
              broadest_ipv4_prefix: 16
              broadest_ipv6_prefix: 32

            """;
    }
}
