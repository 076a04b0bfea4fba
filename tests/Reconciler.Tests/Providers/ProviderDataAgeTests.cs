using Reconciler.Engine;
using Reconciler.Findings;
using Reconciler.Providers;
using Reconciler.Tests.Engine;

namespace Reconciler.Tests.Providers;

/// <summary>The built-in snapshot's AWS feed dates from 2025-07-24: a provider-tracked dependency hears of it once it is over 30 days old.</summary>
public sealed class ProviderDataAgeTests
{
    private static readonly Reconciler.Policies.Model.PolicySet Policies = DriftEngineTests.Parse("""
        dependencies:
          - name: sns
            hosts: [sns.us-east-1.amazonaws.com]
            track: provider
            provider: { name: aws, service: AMAZON, region: us-east-1 }
          - name: partner
            hosts: [api.partner.test]
        """);

    private static readonly ProviderKnowledge Snapshot = new(ProviderSnapshot.Default);

    [Fact]
    public void A_feed_older_than_30_days_is_one_finding_per_dependency_that_follows_it_and_a_fresh_one_is_none()
    {
        Assert.Empty(ProviderDataAge.Check(Policies, Snapshot, new DateTimeOffset(2025, 8, 10, 0, 0, 0, TimeSpan.Zero)));

        var stale = Assert.Single(ProviderDataAge.Check(Policies, Snapshot, new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal((FindingKind.ProviderDataStale, "sns", "aws", FindingAction.Issue), (stale.Kind, stale.Dependency, stale.Subject, stale.Action));
        Assert.Contains("dates from 2025-07-24", stale.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_finding_reads_the_same_on_every_run_so_its_issue_is_not_rewritten_daily()
    {
        var monday = Assert.Single(ProviderDataAge.Check(Policies, Snapshot, new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero)));
        var tuesday = Assert.Single(ProviderDataAge.Check(Policies, Snapshot, new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(monday.Message, tuesday.Message);
        Assert.Equal(monday.Evidence, tuesday.Evidence);
        Assert.Equal(monday.Fingerprint, tuesday.Fingerprint);
    }
}
