using System.Net;

namespace Reconciler.Providers;

/// <summary>One published prefix: who owns it, for which service, in which region ("-" where the feed has none).</summary>
public sealed record ProviderPrefix(string Provider, string Service, string Region, IPNetwork Prefix);

/// <summary>Where a feed's part of the snapshot came from: its date and the provider's own sync token.</summary>
public sealed record FeedInfo(string Provider, string Date, string SyncToken);
