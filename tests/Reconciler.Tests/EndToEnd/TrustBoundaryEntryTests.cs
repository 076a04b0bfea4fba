using System.Text;
using System.Text.Json;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.EndToEnd;

/// <summary>
/// The hostile answers through <c>dotnet cake</c>, from Knot on loopback: a name answering the metadata
/// address, loopback, private, shared, "this network", multicast and their IPv6 forms beside two documentation
/// addresses; a second server answering 10.0.0.1; a CNAME to 600 addresses. In the DNS servers' collection, so
/// that these runs take turns with the other Cake runs.
/// </summary>
[Collection(DnsServersGroup.Name)]
public sealed class TrustBoundaryEntryTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-trust-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static string Zone(string split)
    {
        var zone = new StringBuilder("""
            $ORIGIN evil.test.
            $TTL 300
            @ IN SOA ns1 hostmaster 1 3600 600 86400 60
            @ IN NS ns1
            ns1 IN A 127.0.0.1
            meta IN A 169.254.169.254
            meta IN A 127.0.0.1
            meta IN A 10.1.2.3
            meta IN A 100.64.0.1
            meta IN A 0.0.0.0
            meta IN A 224.0.0.1
            meta IN A 198.51.100.7
            meta IN AAAA ::1
            meta IN AAAA fe80::1
            meta IN AAAA ::ffff:127.0.0.1
            meta IN AAAA 2001:db8::7
            flood IN CNAME big

            """);
        zone.Append($"split IN A {split}\n");
        for (var i = 0; i < 600; i++)
            zone.Append($"big IN A 198.18.{i / 250}.{(i % 250) + 1}\n");
        return zone.ToString();
    }

    private string Policies(string name, string host)
    {
        var dir = Path.Combine(_scratch, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "p.yaml"), $"dependencies:\n  - name: partner\n    hosts: [{host}]\nallowlists:\n  - name: egress\n    kind: iptables\n    rules:\n      - dependency: partner\n        destinations: [192.0.2.1]\n");
        return dir;
    }

    private async Task<(CakeProcess.Outcome Run, JsonDocument Report, string Diffs)> PlanAsync(string name, string host, string nameservers)
    {
        var output = Path.Combine(_scratch, name + "-out");
        var run = await CakeProcess.RunAsync("--target=Plan", "--policies=" + Policies(name, host), "--out=" + output, "--state=" + Path.Combine(_scratch, name + ".json"), "--nameservers=" + nameservers);
        var prs = Path.Combine(output, "plan", "pull-requests");
        var diffs = Directory.Exists(prs) ? string.Concat(Directory.GetFiles(prs, "*.diff").Select(File.ReadAllText)) : "";
        return (run, JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))), diffs);
    }

    private static List<(string Kind, string Action, string Subject, string Message)> Findings(JsonDocument report) =>
        [.. report.RootElement.GetProperty("findings").EnumerateArray().Select(f => (f.GetProperty("kind").GetString()!, f.GetProperty("action").GetString()!, f.GetProperty("subject").GetString()!, f.GetProperty("message").GetString()!))];

    [Fact]
    public async Task Hostile_answers_are_refused_floods_held_and_the_legitimate_answers_still_proposed()
    {
        await using var knot = await KnotServer.StartAsync(new Dictionary<string, string> { ["evil.test"] = Zone("198.51.100.20") });
        await using var other = await KnotServer.StartAsync(new Dictionary<string, string> { ["evil.test"] = Zone("10.0.0.1") });

        var (metaRun, metaReport, metaDiff) = await PlanAsync("meta", "meta.evil.test", knot.V4.ToString());
        var (splitRun, splitReport, splitDiff) = await PlanAsync("split", "split.evil.test", $"{knot.V4},{other.V4}");
        var (floodRun, floodReport, floodDiff) = await PlanAsync("flood", "flood.evil.test", knot.V4.ToString());

        Assert.True(metaRun.ExitCode == 1, metaRun.Output);
        Assert.Contains("egress / partner: +2 −0 → PR reconciler/egress/partner", metaRun.Output, StringComparison.Ordinal);
        var added = metaDiff.Split('\n').Where(l => l.StartsWith('+') && !l.StartsWith("+++", StringComparison.Ordinal)).ToList();
        Assert.Equal("+        destinations: [192.0.2.1, 198.51.100.7, \"2001:db8::7\"]", Assert.Single(added));
        var refused = Findings(metaReport).Where(f => f.Kind == "addition-refused").ToList();
        Assert.Equal(["0.0.0.0", "10.1.2.3", "100.64.0.1", "127.0.0.1", "169.254.169.254", "224.0.0.1", "::1", "::ffff:127.0.0.1", "fe80::1"], refused.Select(f => f.Subject).Order(StringComparer.Ordinal));
        Assert.All(refused, f => Assert.Equal("issue", f.Action));
        Assert.Contains(refused, f => f.Message.StartsWith($"DNS answered 169.254.169.254 for meta.evil.test at {knot.V4}: 169.254.169.254 is in 169.254.0.0/16", StringComparison.Ordinal) && f.Message.Contains("cloud metadata", StringComparison.Ordinal));

        Assert.True(splitRun.ExitCode == 1, splitRun.Output);
        Assert.Contains("198.51.100.20", splitDiff, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.1", splitDiff, StringComparison.Ordinal);
        Assert.Contains(Findings(splitReport), f => f.Kind == "addition-refused" && f.Subject == "10.0.0.1" && f.Message.Contains($"at {other.V4}", StringComparison.Ordinal));

        Assert.True(floodRun.ExitCode == 1, floodRun.Output);
        Assert.Equal("", floodDiff);
        Assert.Contains("addition-held", floodRun.Output, StringComparison.Ordinal);
        Assert.Single(Findings(floodReport), f => f.Kind == "addition-held");
    }
}
