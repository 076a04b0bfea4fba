using Reconciler.Findings;
using Reconciler.Planning;
using Reconciler.Publishing;

namespace Reconciler.Tests.Publishing;

/// <summary>Every marker the bot writes reads back as written, whatever the names in it (README "Publishing (Reconcile)").</summary>
public sealed class MarkerRoundTripTests
{
    /// <summary>Dependency names as findings carry them: a plain one, every dependency (<c>*</c>), identities, prefix sets, and what no name should hold.</summary>
    public static TheoryData<string> Names => new()
    {
        "ledger", "*", "eu-west_egress", "Identity.Prod", "prefix-set:cloud~ranges", "two words", "a-->b", "ünïcode", "50%", "x/y",
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void An_issue_marker_of_every_shape_reads_back(string dependency)
    {
        foreach (var resolved in new[] { false, true })
        {
            foreach (var routing in new Routing?[] { null, new Routing("alice", ""), new Routing("", "@acme/netops"), new Routing("alice,bob", "@acme/netops") })
            {
                var marker = new IssueMarker("0123456789abcdef", dependency, "aaaaaaaaaaaa", "bbbbbbbbbbbb", "high", resolved, routing);
                var body = Markers.WithMarker("Some body.\n\n<!-- reconciler:fingerprint=0123456789abcdef -->\n", marker.ToString());
                var read = Markers.Issue(body);
                Assert.NotNull(read);
                Assert.Equal(marker, read);
                Assert.Equal(dependency, read.Dependency);
                Assert.DoesNotContain("-->", marker.ToString()[..^3], StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_pull_request_marker_of_every_shape_reads_back(string name)
    {
        foreach (var backedOff in new[] { false, true })
        {
            foreach (var routing in new Routing?[] { null, new Routing("@acme/netops", "carol") })
            {
                var marker = new PullRequestMarker($"reconciler/{name}/ledger", "0123456789ab", new string('c', 40), backedOff, routing);
                var read = Markers.PullRequest(Markers.WithMarker("Body.", marker.ToString()));
                Assert.NotNull(read);
                Assert.Equal(marker.Branch, read.Branch);
                Assert.Equal((marker.Change, marker.Head, marker.BackedOff, marker.Routed), (read.Change, read.Head, read.BackedOff, read.Routed));
            }
        }
    }

    [Fact]
    public void Markers_written_before_names_were_encoded_still_read()
    {
        var issue = Markers.Issue("<!-- reconciler:issue-state fingerprint=0123456789abcdef dependency=ledger-api revision=aa material=bb severity=low resolved -->");
        Assert.Equal("ledger-api", issue!.Dependency);
        var pr = Markers.PullRequest("<!-- reconciler:pull-request-state branch=reconciler/app-egress/ledger change=0a head=0b backed-off asked=alice -->");
        Assert.Equal(("reconciler/app-egress/ledger", true, "alice"), (pr!.Branch, pr.BackedOff, pr.Routed.Asked));
    }

    [Fact]
    public void The_findings_block_and_the_trailer_read_back()
    {
        var findings = Enumerable.Range(0, 40).Select(i => new Finding
        {
            Kind = FindingKind.MissingIp, Severity = Severity.High, Dependency = i % 2 == 0 ? "*" : "ledger", Subject = $"192.0.2.{i}", Message = "m", Action = FindingAction.PullRequest,
        }).ToList();
        var block = FindingsMarker.Of(findings);
        Assert.Equal(findings.Select(f => f.Fingerprint).Order(StringComparer.Ordinal), FindingsMarker.Read("Body.\n\n" + block + "\nmore"));
        Assert.All(block.Split('\n'), line => Assert.True(line.Length <= Planning.IssueGrouping.LongestLine));
        Assert.Empty(FindingsMarker.Read("no block here"));
        Assert.Equal("0123456789ab", Markers.ChangeOfCommit("Title\n\nText.\n\nReconciler-Change: 0123456789ab\n"));
        Assert.Null(Markers.ChangeOfCommit("Title\n\nnot a Reconciler-Change: 0123456789ab trailer"));
    }
}
