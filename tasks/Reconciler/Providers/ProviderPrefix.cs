using System.Globalization;
using System.Net;

namespace Reconciler.Providers;

/// <summary>One published prefix: who owns it, for which service, in which region ("-" where the feed has none).</summary>
public sealed record ProviderPrefix(string Provider, string Service, string Region, IPNetwork Prefix);

/// <summary>Where a feed's part of the snapshot came from: its date and the provider's own sync token.</summary>
public sealed record FeedInfo(string Provider, string Date, string SyncToken)
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd-HH-mm-ss", "yyyy-MM-dd"];

    /// <summary>When the provider published the feed (UTC), as far as its date says: AWS's createDate to the second, the others' day.</summary>
    public DateTimeOffset? PublishedAt =>
        DateTimeOffset.TryParseExact(Date, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
}
