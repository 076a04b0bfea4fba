using System.Net;
using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Policies;

public sealed class PolicyParserTests
{
    private static PolicySet Parse(string yaml)
    {
        var result = PolicyParser.Parse([new PolicySource("p.yaml", yaml)]);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Policies!;
    }

    [Fact]
    public void The_example_policies_validate_and_model_the_incidents()
    {
        var result = PolicyDirectory.Load(RepoPaths.Policies, displayRoot: RepoPaths.Root);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var set = result.Policies!;
        var sns = set.FindDependency("aws-sns-us-east-1")!;
        Assert.Equal(TrackMode.Provider, sns.Track);
        Assert.Equal(("aws", "AMAZON", "us-east-1"), (sns.Provider!.Name, sns.Provider.Service, Assert.Single(sns.Provider.Regions)));
        Assert.Equal("gmc-sync", set.FindDependency("gmc-api")!.Identity);
        Assert.Equal(AllowlistKind.Proxy, set.FindAllowlist("squid-main")!.Kind);
        Assert.Equal([IPAddress.Parse("203.0.113.10")], set.FindIdentity("gmc-sync")!.EgressIps.Select(e => e.Value));
        Assert.Contains(set.FindAllowlist("payments-egress")!.Rules, r => r.Pinned);
        Assert.Equal(TimeSpan.FromDays(14), set.Settings.StaleAfter);
        Assert.All(set.Files, f => Assert.StartsWith("policies/", f, StringComparison.Ordinal));
        Assert.All(set.Files, f => Assert.Equal(f, set.RepositoryPathOf(f)));   // the repository root is this checkout
    }

    [Fact]
    public void Absent_keys_take_the_documented_defaults()
    {
        var set = Parse("dependencies:\n  - name: partner-api\n    hosts: [api.partner.example]\n");

        var dependency = Assert.Single(set.Dependencies);
        Assert.Equal([443], dependency.Ports);
        Assert.Equal(TrackMode.Dns, dependency.Track);
        Assert.Equal(PolicySettings.Default, set.Settings);
    }

    [Fact]
    public void Host_names_are_lower_cased_and_international_names_become_punycode()
    {
        var set = Parse("dependencies:\n  - name: books\n    hosts: [Bücher.Example., API.Partner.Example]\n");

        Assert.Equal(["xn--bcher-kva.example", "api.partner.example"], set.Dependencies[0].Hosts.Select(h => h.Value));
    }

    [Fact]
    public void Every_destination_knows_its_line_column_and_exact_text_span()
    {
        const string yaml = "dependencies:\n  - name: a\n    hosts: [a.example]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: a\n        destinations:\n          - 192.0.2.0/24   # comment\n          - \"2001:db8::/48\"\n";
        var set = Parse(yaml);

        var destinations = set.Allowlists[0].Rules[0].Destinations;
        Assert.Equal([(10, 13), (11, 13)], destinations.Select(d => (d.Location.Line, d.Location.Column)));
        Assert.Equal(["192.0.2.0/24", "\"2001:db8::/48\""], destinations.Select(d => yaml[d.Start..d.End]));
        Assert.Equal(IPNetwork.Parse("2001:db8::/48"), destinations[1].Value);
    }

    [Fact]
    public void A_flow_list_span_covers_its_brackets_exactly()
    {
        const string yaml = "dependencies:\n  - name: a\n    hosts: [a.example]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: a\n        destinations: [ 192.0.2.1 , \"192.0.2.2\" ]  # comment\n";

        var list = Parse(yaml).Allowlists[0].Rules[0].DestinationsList!;

        Assert.True(list.IsFlow);
        Assert.Equal("[ 192.0.2.1 , \"192.0.2.2\" ]", yaml[list.Start..list.End]);
    }

    [Fact]
    public void Anchors_and_aliases_within_bounds_are_expanded()
    {
        var set = Parse("x-hosts: &h [a.example, b.example]\n".Replace("x-hosts", "dependencies", StringComparison.Ordinal)
            .Replace("&h [a.example, b.example]", "\n  - name: a\n    hosts: &h [a.example, b.example]\n  - name: b\n    hosts: *h", StringComparison.Ordinal));

        Assert.Equal(["a.example", "b.example"], set.Dependencies[1].Hosts.Select(h => h.Value));
    }

    [Fact]
    public void Settings_from_several_files_merge_when_each_key_is_set_once()
    {
        var result = PolicyParser.Parse(
        [
            new PolicySource("a.yaml", "settings:\n  samples: 5\n"),
            new PolicySource("b.yaml", "settings:\n  stale_after: 1d12h\n  egress_echo: https://checkip.example/\n"),
        ]);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(5, result.Policies!.Settings.Samples);
        Assert.Equal(TimeSpan.FromHours(36), result.Policies.Settings.StaleAfter);
        Assert.Equal(new Uri("https://checkip.example/"), result.Policies.Settings.EgressEcho);
    }

    [Fact]
    public void An_empty_user_agent_is_kept_as_empty_so_that_it_can_be_reported()
    {
        var set = Parse("identities:\n  - name: legacy\n    user_agent: \"\"\n  - name: quiet\n");

        Assert.Equal("", set.Identities[0].UserAgent);
        Assert.Null(set.Identities[1].UserAgent);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_parsing()
    {
        var dir = Directory.CreateTempSubdirectory("reconciler-big-").FullName;
        try
        {
            var line = "# " + new string('x', 98) + "\n";
            File.WriteAllText(Path.Combine(dir, "big.yaml"), string.Concat(Enumerable.Repeat(line, 11_000)));

            var result = PolicyDirectory.Load(dir, displayRoot: dir);

            var error = Assert.Single(result.Errors);
            Assert.Equal("big.yaml:1:1: the file is larger than 1,048,576 bytes, the limit for a policy file (split it)", error.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_missing_policies_directory_is_an_argument_error_with_exit_code_2()
    {
        var e = Assert.Throws<Reconciler.Diagnostics.ReconcilerException>(() => PolicyDirectory.Load("/nonexistent/policies"));

        Assert.Equal(2, e.ExitCode);
        Assert.Equal("argument --policies: directory '/nonexistent/policies' does not exist", e.Message);
    }
}
