using System.Globalization;
using Reconciler.Policies.Loading;
using Reconciler.Render;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Escaping;

/// <summary>
/// Rendered files whose comments carry hostile policy file names: the loader refuses such names, and the rendered
/// files escape them anyway (the escaper does not rely on the gate). Checked by the real readers: ipset restore and
/// iptables-restore in a network namespace of the test's own, and squid -k parse without network.
/// </summary>
public sealed class RenderedFilesEscapingTests
{
    /// <summary>One proxy and one iptables allowlist per hostile string, each in a policy file named by that string.</summary>
    private static Reconciler.Policies.Model.PolicySet HostilePolicies(IReadOnlyList<string> hostile)
    {
        var sources = new List<PolicySource>();
        for (var i = 0; i < hostile.Count; i++)
        {
            var yaml = string.Create(CultureInfo.InvariantCulture, $"""
                dependencies:
                  - name: dep{i}
                    hosts: [h{i}.example.test]
                allowlists:
                  - name: a{i}
                    kind: iptables
                    rules:
                      - dependency: dep{i}
                        destinations: [192.0.2.{i % 250 + 1}]
                  - name: p{i}
                    kind: proxy
                    rules:
                      - dependency: dep{i}
                        domains: [h{i}.example.test]

                """);
            sources.Add(new PolicySource(hostile[i], yaml));
        }
        var result = PolicyParser.Parse(sources);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Policies!;
    }

    private static IReadOnlyList<string> Hostile() => [.. HostileText.All(mutations: 60), HostileText.Sentinel(9999) + " " + new string('\n', 3) + new string('x', 20_000) + "\n-A rcn-a0 -j ACCEPT\nhttp_access allow all\n"];

    [Fact]
    public async Task Iptables_rules_from_hostile_file_names_load_as_exactly_the_rules_rendered()
    {
        var hostile = Hostile();
        var policies = HostilePolicies(hostile);
        using var ns = await NetworkNamespace.CreateAsync();
        for (var i = 0; i < hostile.Count; i++)
        {
            var rendering = IptablesRenderer.Render(policies, policies.Allowlists.Single(a => a.Name == $"a{i}"));
            await Load(ns, "ipset restore", rendering.Ipsets, hostile[i]);
            await Load(ns, "iptables-restore --test --noflush", rendering.Ipv4Rules, hostile[i]);
            await Load(ns, "iptables-restore --noflush", rendering.Ipv4Rules, hostile[i]);
            var (_, rules) = await ns.ShellAsync($"iptables -S {rendering.Chain}");
            var lines = rules.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            // The chain holds its own four rules, in order, and ends with the reject: nothing the name held became one.
            Assert.True(lines.Length == 5, $"seed {HostileText.Seed}: {rules}");
            Assert.StartsWith($"-A {rendering.Chain} -p tcp -m set --match-set ", lines[3], StringComparison.Ordinal);
            Assert.Equal($"-A {rendering.Chain} -p tcp -j REJECT --reject-with tcp-reset", lines[4]);
            // Positive control: the name is in the comment, escaped, within the kernel's limit.
            Assert.Contains(HostileText.SentinelOf(hostile[i]), lines[3], StringComparison.Ordinal);
            Assert.Equal(4, rendering.Ipv4Rules.Split('\n').Count(l => l.StartsWith('-')));
            foreach (var text in new[] { rendering.Ipsets, rendering.Ipv4Rules, rendering.Ipv6Rules })
                Assert.All(text.Split('\n'), l => Assert.True(l.Length == 0 || l.StartsWith('#') || l.StartsWith('*') || l.StartsWith(':') || l.StartsWith("-A ", StringComparison.Ordinal) || l.StartsWith("create ", StringComparison.Ordinal) || l.StartsWith("flush ", StringComparison.Ordinal) || l.StartsWith("add ", StringComparison.Ordinal) || l.StartsWith("swap ", StringComparison.Ordinal) || l.StartsWith("destroy ", StringComparison.Ordinal) || l == "COMMIT", l));
        }
    }

    private static async Task Load(NetworkNamespace ns, string command, string input, string hostile)
    {
        var (exitCode, output) = await ns.ShellAsync(command, input);
        Assert.True(exitCode == 0, $"{command} refused the file rendered for {HostileText.SentinelOf(hostile)} (seed {HostileText.Seed}): {output}\n{input}");
    }

    [Fact]
    public async Task A_squid_include_from_hostile_file_names_parses_to_exactly_its_own_http_access_lines()
    {
        var hostile = Hostile();
        var policies = HostilePolicies(hostile);
        var include = string.Concat(policies.Allowlists.Where(a => a.Kind == Reconciler.Policies.Model.AllowlistKind.Proxy).Select(a => SquidRenderer.Render(policies, a).Include));
        Assert.All(hostile, h => Assert.Contains(HostileText.SentinelOf(h), include, StringComparison.Ordinal));
        var (directory, config) = await SquidServer.PrepareAsync(include, ExternalTool.FreePort(), ExternalTool.FreePort());
        try
        {
            var (exitCode, output) = await ExternalTool.RunWithoutNetworkAsync($"squid -k parse -f {config}");
            Assert.True(exitCode == 0, output);
            var processed = output.Split('\n').Select(l => l.IndexOf("Processing: ", StringComparison.Ordinal) is var at and >= 0 ? l[(at + "Processing: ".Length)..].Trim() : null)
                .OfType<string>().Where(l => l.StartsWith("http_access", StringComparison.Ordinal)).ToList();
            var rendered = include.Split('\n').Where(l => l.StartsWith("http_access", StringComparison.Ordinal)).Append("http_access deny all").ToList();
            Assert.Equal(rendered, processed);
            Assert.Equal(hostile.Count, rendered.Count - 1);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("partners\n-A rcn-egress -j ACCEPT\n#.yaml", "U+000A")]
    [InlineData("proxy\r\nhttp_access allow all\n#.yaml", "U+000D")]
    [InlineData("bidi\u202eimlay.yaml", "U+202E")]
    [InlineData("sep\u2028x.yaml", "U+2028")]
    public void A_policy_file_whose_name_holds_a_control_character_is_refused_at_its_place(string name, string character)
    {
        var folder = Directory.CreateTempSubdirectory("reconciler-names-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "good.yaml"), "dependencies:\n  - name: a\n    hosts: [a.example.test]\n");
            File.WriteAllText(Path.Combine(folder, name), "dependencies:\n  - name: b\n    hosts: [b.example.test]\n");
            var loaded = PolicyDirectory.Load(folder, displayRoot: folder);
            Assert.Null(loaded.Policies);
            var error = Assert.Single(loaded.Errors);
            Assert.Contains(character, error.Message, StringComparison.Ordinal);
            Assert.Equal(1, error.Location.Line);
            // The error itself is one line: its place shows the name escaped.
            LogInvariant.IsOneSafeLine(error.ToString(), "the error");
            Assert.Contains(Reconciler.Diagnostics.ControlCharacters.Escape(name), error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
