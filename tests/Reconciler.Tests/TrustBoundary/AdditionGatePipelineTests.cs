using System.Net;
using System.Text;
using Reconciler.Dns.Resolution;
using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Planning;
using Reconciler.Policies.Model;
using Reconciler.Providers;
using Reconciler.Tests.Engine;

namespace Reconciler.Tests.TrustBoundary;

/// <summary>
/// Random DNS answers mixing global and special-purpose addresses, our own egress addresses and private-use ones
/// inside and outside declared private_ranges, through the real pipeline and planner: nothing special-purpose and
/// none of our own reaches a would-be pull request, and every global one does (the positive control: a gate that
/// refused everything fails). Replay one case with RECONCILER_TRUST_SEED=N RECONCILER_TRUST_CASES=1.
/// </summary>
public sealed class AdditionGatePipelineTests
{
    private static readonly DateTimeOffset Now = DriftEngineTests.Now;
    private const string Server = "127.0.0.1:53";

    /// <summary>Special-purpose IPv4 blocks as (first address, size), written out here, not read from the table under test.</summary>
    private static readonly (uint First, uint Size)[] SpecialV4 =
    [
        (0x00000000, 1u << 24), (0x0A000000, 1u << 24), (0x64400000, 1u << 22), (0x7F000000, 1u << 24), (0xA9FE0000, 1u << 16),
        (0xAC100000, 1u << 20), (0xC0A80000, 1u << 16), (0xE0000000, 1u << 28), (0xF0000000, (1u << 28) - 1), (0xFFFFFFFF, 1),
    ];

    /// <summary>Global ranges (first, size): ordinary unicast outside any CDN of the snapshot (a CDN-fronted dependency proposes nothing: one voice), documentation, benchmarking.</summary>
    private static readonly (uint First, uint Size)[] GlobalV4 =
    [
        (0x01000000, 1u << 24), (0x08000000, 1u << 25), (0x2D000000, 1u << 24), (0x5DB80000, 1u << 16), (0xC0000200, 256),
        (0xC6336400, 256), (0x05090000, 1u << 16), (0xC6120000, 1u << 17), (0x0B000000, 1u << 24), (0xC0A90000, 1u << 16),
    ];

    /// <summary>Our egress addresses come from 203.0.113.0/24, which no global answer uses: a global answer is never ours by chance.</summary>
    private static string Egress(Random random) => $"203.0.113.{random.Next(256)}";

    [Fact]
    public void No_special_purpose_or_own_address_reaches_a_pull_request_and_every_global_one_does()
    {
        var first = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_TRUST_SEED"), out var s) ? s : 20261207;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_TRUST_CASES"), out var c) ? c : 300;
        var refusedSeen = 0;
        for (var seed = first; seed < first + cases; seed++)
            refusedSeen += RunCase(seed);
        Assert.True(refusedSeen > cases, $"the generator must offer special-purpose answers ({refusedSeen} refused in {cases} cases)");
    }

    private static int RunCase(int seed)
    {
        var random = new Random(seed);
        var egress = Enumerable.Range(0, 3).Select(_ => Egress(random)).Distinct().ToList();
        var dependencies = Enumerable.Range(0, random.Next(1, 4)).Select(i => $"d{i}").ToList();
        var declared = IPNetwork.Parse($"10.{random.Next(256)}.0.0/16");
        var expectedAdded = new Dictionary<string, HashSet<string>>();
        var expectedRefused = new Dictionary<string, HashSet<string>>();
        var observations = new List<Observation>();
        var yaml = new StringBuilder("identities:\n  - name: us\n    egress_ips: [")
            .Append(string.Join(", ", egress.Select(Quote))).Append("]\ndependencies:\n");
        foreach (var dependency in dependencies)
        {
            var withRanges = random.Next(2) == 0;
            yaml.Append($"  - name: {dependency}\n    hosts: [{dependency}.example.test]\n");
            if (withRanges)
                yaml.Append($"    private_ranges: [{declared}]\n");
            var added = expectedAdded[dependency] = [];
            var refused = expectedRefused[dependency] = [];
            var answers = new List<string>();
            for (var i = random.Next(1, 24); i > 0; i--)
            {
                var (address, admissible) = Answer(random, egress, declared, withRanges);
                answers.Add(address);
                (admissible ? added : refused).Add(address);
            }
            refused.ExceptWith(added);
            foreach (var type in new[] { "A", "AAAA" })
            {
                var ofType = answers.Where(a => IPAddress.Parse(a).AddressFamily == (type == "A" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6)).Distinct().ToList();
                observations.Add(new Observation($"{dependency}.example.test", type, Server, DnsOutcome.Answer, [], [.. ofType.Select(a => new ObservedAddress(a, 60))], Now, 1));
            }
        }
        yaml.Append("allowlists:\n  - name: egress\n    kind: iptables\n    rules:\n");
        foreach (var dependency in dependencies)
            yaml.Append($"      - dependency: {dependency}\n        destinations: [192.0.2.254]\n");
        yaml.Append("settings:\n  max_new_addresses: 1000\n");

        var policies = DriftEngineTests.Parse(yaml.ToString());
        var set = new ObservationSet(Now, [Server], observations);
        var findings = FindingPipeline.Run(policies, Observed.DnsOnly(set), DriftMemory.Empty.Remember(set, Now), new ProviderKnowledge(ProviderSnapshot.Default), Now);
        var plan = Planner.Plan(policies, findings);

        var context = $"seed {seed} (replay: RECONCILER_TRUST_SEED={seed} RECONCILER_TRUST_CASES=1)\n{yaml}";
        foreach (var dependency in dependencies)
        {
            var proposed = plan.PullRequests.Where(p => p.Dependency == dependency).SelectMany(p => p.Added).Select(Canonical).ToHashSet();
            Assert.True(expectedAdded[dependency].Select(Canonical).ToHashSet().SetEquals(proposed),
                $"{context}\n{dependency}: expected +[{string.Join(", ", expectedAdded[dependency])}], planned +[{string.Join(", ", proposed)}]\n"
                + string.Join("\n", findings.Where(f => f.Dependency == dependency).Select(f => $"{f.Kind} {f.Action} {f.Subject}: {f.Message}"))
                + string.Join("\n", plan.PullRequests.Select(p => $"PR {p.Dependency} {p.Failure}")));
            var refusals = findings.Where(f => f.Kind == FindingKind.AdditionRefused && f.Dependency == dependency).ToList();
            Assert.True(expectedRefused[dependency].Select(Canonical).ToHashSet().SetEquals(refusals.Select(f => Canonical(f.Subject))),
                $"{context}\n{dependency}: expected refused [{string.Join(", ", expectedRefused[dependency])}], got [{string.Join(", ", refusals.Select(f => f.Subject))}]");
            Assert.All(refusals, f => Assert.True(f is { Severity: Severity.High, Action: FindingAction.Issue } && f.Message.Contains(Server, StringComparison.Ordinal)
                && f.Message.Contains($"{dependency}.example.test", StringComparison.Ordinal), $"{context}\n{f.Message}"));
        }
        Assert.All(plan.PullRequests, pr => Assert.True(pr.Failure is null, $"{context}\n{pr.Failure}"));
        return expectedRefused.Values.Sum(r => r.Count);
    }

    /// <summary>One answer and whether the gate must let it through.</summary>
    private static (string Address, bool Admissible) Answer(Random random, List<string> egress, IPNetwork declared, bool withRanges)
    {
        var v4 = Pick(random, SpecialV4);
        return random.Next(11) switch
        {
            0 or 1 or 2 => (Global(random), true),
            3 => (GlobalV6(random), true),
            // Private use inside the declared range is the one special-purpose answer private_ranges admits.
            4 => (Format(v4), withRanges && declared.Contains(IPAddress.Parse(Format(v4)))),
            5 => (MappedTo(random.Next(2) == 0 ? "::ffff:" : "64:ff9b::", v4), false),
            6 => (SixToFour(v4, random), false),
            7 => (egress[random.Next(egress.Count)] is var own && random.Next(2) == 0 ? own : MappedTo("::ffff:", Parse4(own)), false),
            8 => (Format(Inside(random, declared)), withRanges),
            9 => (random.Next(4) switch { 0 => "::1", 1 => $"fe80::{random.Next(1, 0xffff):x}", 2 => $"fd{random.Next(256):x2}::{random.Next(1, 0xffff):x}", _ => $"ff02::{random.Next(1, 0xffff):x}" }, false),
            _ => (MappedTo("::ffff:", Pick(random, GlobalV4)), true),
        };
    }

    private static string Global(Random random) => Format(Pick(random, GlobalV4));

    private static string GlobalV6(Random random) => random.Next(3) switch
    {
        0 => $"2001:db8:{random.Next(0x10000):x}::{random.Next(1, 0x10000):x}",
        1 => $"2a01:4f8:{random.Next(0x10000):x}::{random.Next(1, 0x10000):x}",
        _ => $"2002:c633:64{random.Next(256):x2}::{random.Next(1, 0x10000):x}",
    };

    private static uint Pick(Random random, (uint First, uint Size)[] ranges)
    {
        var (first, size) = ranges[random.Next(ranges.Length)];
        // Edges are where a classifier goes wrong: the first and last address come often.
        return random.Next(4) switch { 0 => first, 1 => first + size - 1, _ => first + (uint)random.NextInt64(size) };
    }

    private static uint Inside(Random random, IPNetwork network) => Parse4(network.BaseAddress.ToString()) + (uint)random.Next(1 << (32 - network.PrefixLength));

    private static string MappedTo(string prefix, uint v4) => prefix + Format(v4);

    private static string SixToFour(uint v4, Random random) => $"2002:{v4 >> 16:x}:{v4 & 0xffff:x}::{random.Next(1, 0x10000):x}";

    private static string Format(uint v4) => new IPAddress([(byte)(v4 >> 24), (byte)(v4 >> 16), (byte)(v4 >> 8), (byte)v4]).ToString();

    private static uint Parse4(string text) => IPAddress.Parse(text).GetAddressBytes().Aggregate(0u, (a, b) => (a << 8) | b);

    private static string Canonical(string text) => IPAddress.Parse(text).ToString();

    private static string Quote(string text) => text.Contains(':', StringComparison.Ordinal) ? $"\"{text}\"" : text;
}
