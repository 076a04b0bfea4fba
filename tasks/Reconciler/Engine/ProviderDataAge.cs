using System.Globalization;
using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Providers;

namespace Reconciler.Engine;

/// <summary>
/// How old the provider snapshot is: a run that follows a provider's published prefixes is only as current as the
/// snapshot it read, and an old one silently misses what the provider added or withdrew since (README "Provider feeds").
/// Pure.
/// </summary>
public static class ProviderDataAge
{
    /// <summary>Older than this, a provider's part of the snapshot is a finding for each dependency that follows it.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(30);

    /// <summary>The run's note: where the snapshot came from and how old each feed in it is.</summary>
    public static string Note(ProviderKnowledge providers, DateTimeOffset now)
    {
        var feeds = providers.Snapshot.Feeds;
        if (feeds.Count == 0)
            return $"provider data ({providers.Source}) holds no feed: nothing is known of what providers publish";
        var ages = feeds.Select(f => f.PublishedAt is { } at ? $"{f.Provider} of {at:yyyy-MM-dd} ({Days(now - at)})" : $"{f.Provider} of an unknown date ({f.Date})");
        var oldest = feeds.Select(f => f.PublishedAt).OfType<DateTimeOffset>().DefaultIfEmpty(now).Min();
        var advice = now - oldest > StaleAfter ? "; refresh it with --target=RefreshProviders" : "";
        return $"provider data ({providers.Source}): {string.Join(", ", ages)}{advice}";
    }

    /// <summary>One finding per provider-tracked dependency whose provider's feed is older than <see cref="StaleAfter"/>, or missing.</summary>
    public static IEnumerable<Finding> Check(PolicySet policies, ProviderKnowledge providers, DateTimeOffset now)
    {
        foreach (var dependency in policies.Dependencies.Where(d => d.Track == TrackMode.Provider && d.Provider is not null))
        {
            var name = dependency.Provider!.Name;
            var feed = providers.Snapshot.Feeds.FirstOrDefault(f => f.Provider == name);
            var age = feed?.PublishedAt is { } at ? now - at : (TimeSpan?)null;
            if (feed is not null && age is { } known && known <= StaleAfter)
                continue;
            var what = feed is null ? $"the provider snapshot ({providers.Source}) holds no {name} feed"
                // A date, not an age: the body of the issue stays the same from one run to the next (README "Publishing (Reconcile)": quiet).
                : age is not null ? $"the {name} feed in the provider snapshot ({providers.Source}) dates from {feed.PublishedAt:yyyy-MM-dd}, more than {StaleAfter.TotalDays:0} days ago"
                : $"the {name} feed in the provider snapshot ({providers.Source}) has no date that can be read ('{feed.Date}')";
            yield return new Finding
            {
                Kind = FindingKind.ProviderDataStale,
                Severity = Severity.Medium,
                Dependency = dependency.Name,
                Subject = name,
                Message = $"{dependency.Name} follows what {name} publishes, and {what}: prefixes {name} added or withdrew since are not seen. " +
                    "Refresh it (--target=RefreshProviders, or merge the scheduled refresh pull request).",
                Action = FindingAction.Issue,
                Evidence = [new Evidence("provider snapshot", feed is null ? $"no {name} feed" : feed.PublishedAt is { } published ? $"{name} feed of {published:yyyy-MM-dd}" : $"{name} feed of {feed.Date}")],
                Location = dependency.Location,
            };
        }
    }

    private static string Days(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{Math.Floor(age.TotalDays).ToString(CultureInfo.InvariantCulture)} days old" : "less than a day old";
}
