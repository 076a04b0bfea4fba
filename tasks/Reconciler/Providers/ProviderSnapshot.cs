using System.Net;
using System.Text;

namespace Reconciler.Providers;

/// <summary>
/// Every provider's published prefixes, normalized and sorted into one tab-separated file that diffs well in a pull
/// request. The library carries one (the embedded default); <c>RefreshProviders</c> rewrites it from the feeds.
/// </summary>
public sealed record ProviderSnapshot(IReadOnlyList<FeedInfo> Feeds, IReadOnlyList<ProviderPrefix> Prefixes)
{
    private const string Header = "# Reconciler provider snapshot: rewritten by `dotnet cake --target=RefreshProviders`; do not edit.";
    private const string ResourceName = "Reconciler.Providers.snapshot.tsv";

    private static readonly Lazy<ProviderSnapshot> Embedded = new(() =>
    {
        using var stream = typeof(ProviderSnapshot).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    });

    /// <summary>The snapshot built into the library: read with no network, at every run.</summary>
    public static ProviderSnapshot Default => Embedded.Value;

    public static ProviderSnapshot Create(IEnumerable<(FeedInfo Feed, List<ProviderPrefix> Prefixes)> feeds)
    {
        var all = feeds.ToList();
        return new ProviderSnapshot(
            [.. all.Select(f => f.Feed).OrderBy(f => f.Provider, StringComparer.Ordinal)],
            [.. all.SelectMany(f => f.Prefixes).Distinct().Order(Comparer<ProviderPrefix>.Create(Compare))]);
    }

    /// <summary>This snapshot with one provider's part replaced: a feed that was fetched; the others stay as they were.</summary>
    public ProviderSnapshot With(FeedInfo feed, List<ProviderPrefix> prefixes) =>
        Create([.. Feeds.Where(f => f.Provider != feed.Provider).Select(f => (f, Prefixes.Where(p => p.Provider == f.Provider).ToList())), (feed, prefixes)]);

    public string ToTsv()
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var feed in Feeds)
            text.Append("#feed\t").Append(feed.Provider).Append('\t').Append(feed.Date).Append('\t').Append(feed.SyncToken).Append('\n');
        foreach (var p in Prefixes)
            text.Append(p.Provider).Append('\t').Append(p.Service).Append('\t').Append(p.Region).Append('\t').Append(p.Prefix).Append('\n');
        return text.ToString();
    }

    public static ProviderSnapshot Parse(string tsv)
    {
        var feeds = new List<FeedInfo>();
        var prefixes = new List<ProviderPrefix>();
        foreach (var line in tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (fields[0] == "#feed" && fields.Length == 4)
                feeds.Add(new FeedInfo(fields[1], fields[2], fields[3]));
            else if (!line.StartsWith('#') && fields.Length == 4 && IPNetwork.TryParse(fields[3], out var prefix))
                prefixes.Add(new ProviderPrefix(fields[0], fields[1], fields[2], prefix));
            else if (!line.StartsWith('#'))
                throw new FormatException($"not a snapshot line: '{line}'");
        }
        return new ProviderSnapshot(feeds, prefixes);
    }

    private static int Compare(ProviderPrefix a, ProviderPrefix b)
    {
        var order = string.CompareOrdinal(a.Provider, b.Provider);
        if (order == 0) order = string.CompareOrdinal(a.Service, b.Service);
        if (order == 0) order = string.CompareOrdinal(a.Region, b.Region);
        if (order == 0) order = a.Prefix.BaseAddress.AddressFamily.CompareTo(b.Prefix.BaseAddress.AddressFamily);
        if (order == 0) order = a.Prefix.BaseAddress.GetAddressBytes().AsSpan().SequenceCompareTo(b.Prefix.BaseAddress.GetAddressBytes());
        return order == 0 ? a.Prefix.PrefixLength.CompareTo(b.Prefix.PrefixLength) : order;
    }
}
