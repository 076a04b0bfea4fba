using System.Net;
using Reconciler.Diagnostics;
using Reconciler.Import;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Providers;
using Reconciler.Render;
using Reconciler.Rulesets;
using Reconciler.Run;
using Reconciler.Tests.Render;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Import;

/// <summary>
/// Import of an estate made for real in a network namespace: its iptables-save, ipset save and squid configuration
/// drafted into policies that validate, and the rendering of those loaded into a fresh namespace admits every
/// destination and port the original admitted (both read back with iptables-save and walked the same way).
/// </summary>
public sealed class ImportTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-import-").FullName;

    private const string EstateSets = """
        create partners hash:net family inet
        add partners 198.51.100.0/24
        add partners 203.0.113.7
        create svc hash:ip,port family inet
        add svc 192.0.2.44,tcp:8443
        """;

    private const string EstateRules = """
        *filter
        :OUTPUT DROP [0:0]
        :out-allow - [0:0]
        -A OUTPUT -o lo -j ACCEPT
        -A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
        -A OUTPUT -p udp --dport 53 -j ACCEPT
        -A OUTPUT -p tcp -j out-allow
        -A out-allow -d 10.0.0.0/8 -j RETURN
        -A out-allow -p tcp -d 192.0.2.10 --dport 443 -m comment --comment "api.partner.example" -j ACCEPT
        -A out-allow -p tcp -d 192.0.2.20 -m multiport --dports 80,443,8080:8082 -j ACCEPT
        -A out-allow -p tcp -m set --match-set partners dst --dport 443 -j ACCEPT
        -A out-allow -p tcp -m set --match-set svc dst,dst -j ACCEPT
        -A out-allow -p tcp -d 54.239.128.0/18 --dport 443 -j ACCEPT
        -A out-allow -p tcp ! -d 172.16.0.0/12 --dport 25 -j ACCEPT
        -A out-allow -p tcp -d 192.0.2.99 -j ACCEPT
        COMMIT
        """;

    private const string EstateSquid = """
        http_port 3128
        acl partner_sites dstdomain .example.org api.example.net
        acl office src 10.0.0.0/8
        acl mirror dst 198.51.100.9
        http_access allow partner_sites
        http_access allow office mirror
        http_access deny all
        """;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task A_drafted_estate_validates_and_its_rendering_admits_all_the_original_admitted()
    {
        var (rules, sets) = await SaveAsync(EstateRules, EstateSets);

        var result = Importer.Draft([new("estate.iptables", rules), new("estate.ipset", sets), new("estate.squid", EstateSquid)], new ProviderKnowledge(ProviderSnapshot.Default), []);

        Assert.Empty(result.Problems);
        var texts = result.Drafts.Where(d => !d.IsEmpty).Select(d => new PolicySource(d.FileName, DraftYaml.Write(d))).ToList();
        var loaded = PolicyParser.Parse(texts);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + string.Join("\n---\n", texts.Select(t => t.Text)));
        var policies = loaded.Policies!;
        Assert.All(policies.Dependencies, d => Assert.Contains(d.Track, new[] { TrackMode.Static, TrackMode.Domain }));   // nothing a first Plan may remove
        Assert.All(policies.Allowlists.SelectMany(a => a.Rules), r => Assert.Matches(@"^imported from estate\.(iptables|squid):\d+", r.Reason ?? ""));
        var all = string.Join("\n", texts.Select(t => t.Text));
        Assert.Contains("published by aws AMAZON GLOBAL", all, StringComparison.Ordinal);                   // 54.239.128.0/18
        Assert.Contains("hosts: [api.partner.example]", all, StringComparison.Ordinal);                    // a comment that names the host
        foreach (var note in new[] { "-o lo", "conntrack ESTABLISHED", "every destination (udp)", "! -d 172.16.0.0/12", "192.0.2.99 on every port", "the original also requires office" })
            Assert.Contains(note, all, StringComparison.Ordinal);

        // The original's admissions, and those of its drafted rendering, both loaded for real and read back.
        var original = OutputPath.Walk(IptablesSave.Parse("estate", rules), IpsetSave.Parse("estate.ipset", sets)).Admissions;
        var allowlist = policies.Allowlists.Single(a => a.Kind == AllowlistKind.Iptables);
        var rendering = IptablesRenderer.Render(policies, allowlist);
        using var deployed = await NetworkNamespace.CreateAsync();
        await IptablesRenderTests.LoadAsync(deployed, rendering, hook: true);
        var rendered = OutputPath.Walk(IptablesSave.Parse("rendered", await deployed.RunAsync("iptables-save")), IpsetSave.Parse("rendered.ipset", await deployed.RunAsync("ipset", "save"))).Admissions;

        var checkedPairs = 0;
        foreach (var admission in original.Where(a => a.Kind == AdmissionKind.Destinations && a.CoversTcp))
        {
            if (PortRanges.Expand(admission.Ports, Importer.MostPorts) is not { } ports)
                continue; // noted in the draft, asserted above
            foreach (var network in admission.Networks)
            {
                foreach (var port in ports)
                {
                    checkedPairs++;
                    Assert.True(Admits(rendered, network, port), $"the rendering does not admit {network} port {port} that {admission.Location} admitted");
                }
            }
        }
        Assert.Equal(1 + 5 + 2 + 1 + 1, checkedPairs);
        // Positive control: the comparison can fail. The rendering refuses what the original admitted but Import noted.
        Assert.True(Admits(original, IPNetwork.Parse("192.0.2.99/32"), 443));
        Assert.False(Admits(rendered, IPNetwork.Parse("192.0.2.99/32"), 443));

        var proxy = SquidRenderer.Render(policies, policies.Allowlists.Single(a => a.Kind == AllowlistKind.Proxy));
        var values = proxy.Acls.SelectMany(a => a.Values).ToHashSet();
        Assert.Superset(new HashSet<string> { ".example.org", "api.example.net", "198.51.100.9/32" }, values);
    }

    [Fact]
    public async Task Import_writes_next_to_existing_policies_never_over_a_file_and_refuses_unreadable_lines_by_place()
    {
        var from = Path.Combine(_scratch, "h1.iptables");
        File.WriteAllText(from, "*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -p tcp -d 192.0.2.10/32 --dport 443 -j ACCEPT\nCOMMIT\n");
        var policies = Path.Combine(_scratch, "policies");

        var first = Run(policies, from);
        Assert.Equal([Path.Combine(policies, "h1-iptables.yaml")], first.Written);
        Assert.True(PolicyDirectory.Load(policies).IsValid);
        var before = File.ReadAllText(first.Written![0]);

        var again = Run(policies, from);   // the same file again: it would overwrite
        Assert.Equal(ExitCodes.InvalidInput, again.ExitCode);
        Assert.Contains("never replaces a file", again.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(first.Written[0]));

        var broken = Path.Combine(_scratch, "h2.iptables");
        File.WriteAllText(broken, "*filter\n-A OUTPUT -p tcp --dport 1:99999 -j ACCEPT\nCOMMIT\n");
        var refused = Run(policies, broken);
        Assert.Equal(ExitCodes.InvalidInput, refused.ExitCode);
        Assert.Contains($"error: {broken}:2:26: '99999' is not a port number (0 to 65535) or a known service name", refused.Log);
        Assert.False(File.Exists(Path.Combine(policies, "h2-iptables.yaml")));
    }

    private static (IReadOnlyList<string>? Written, int ExitCode, string Message, List<string> Log) Run(string policies, string from)
    {
        var log = new CollectingLog();
        var options = new RunOptions { Target = "Import", Now = DateTimeOffset.UnixEpoch, Policies = policies, From = [from] };
        using var run = new ReconcilerRun(options, log);
        try
        {
            run.CheckArguments();
            return (run.Import(), 0, "", log.Shown);
        }
        catch (ReconcilerException e)
        {
            return (null, e.ExitCode, e.Message, log.Shown);
        }
    }

    private static bool Admits(IReadOnlyList<Admission> admissions, IPNetwork network, int port) =>
        admissions.Any(a => a.CoversTcp && (a.Kind == AdmissionKind.Everything
            || (a.Kind == AdmissionKind.Destinations && a.Networks.Any(n => Networks.Covers(n, network)) && (a.Ports is null || a.Ports.Any(r => r.Contains(port))))));

    /// <summary>Loads the estate into a namespace of its own and reads it back as a host would dump it.</summary>
    private static async Task<(string Rules, string Sets)> SaveAsync(string rules, string sets)
    {
        using var estate = await NetworkNamespace.CreateAsync();
        await IptablesRenderTests.AssertLoads(estate, "ipset restore", sets + "\n");
        await IptablesRenderTests.AssertLoads(estate, "iptables-restore --test && echo", rules + "\n");
        await IptablesRenderTests.AssertLoads(estate, "iptables-restore", rules + "\n");
        return (await estate.RunAsync("iptables-save"), await estate.RunAsync("ipset", "save"));
    }
}
