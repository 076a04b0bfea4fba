using Reconciler.Diagnostics;
using Reconciler.Engine;
using Reconciler.Files;
using Reconciler.Policies.Model;
using Reconciler.Providers;

namespace Reconciler.Run;

/// <summary>The provider data a run reads (<c>--snapshot</c>), and the refresh that rewrites it (README "Provider feeds").</summary>
public sealed partial class ReconcilerRun
{
    /// <summary>
    /// Fetches the provider feeds (or reads <c>--feeds</c>) into the snapshot file. Each feed stands alone: one that
    /// fails to download or parse, or that the feed check refuses, keeps its old part of the snapshot and is named; the
    /// refresh succeeds when at least one feed refreshed, and fails (exit 3, the file untouched) when none did.
    /// </summary>
    public async Task<ProviderSnapshot> RefreshProvidersAsync(CancellationToken cancellationToken = default)
    {
        var current = File.Exists(options.Snapshot) && new FileInfo(options.Snapshot).Length > 0
            ? ReadSnapshot(options.Snapshot)
            : new ProviderSnapshot([], []);
        // The broadest prefixes a feed may hold are the policies' own; without a policies folder, the defaults.
        var settings = Directory.Exists(options.Policies) ? Validate().Settings : new PolicySettings();
        IReadOnlyList<FeedResult> results;
        if (options.Feeds is { } folder)
        {
            if (!Directory.Exists(folder))
                throw ReconcilerException.InvalidArgument("feeds", $"directory '{folder}' does not exist");
            results = await FeedSources.ReadAsync(folder, options.Now, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.UserAgent.ParseAdd($"{ToolIdentity.UserAgent} (+https://github.com/)");
            results = await FeedSources.FetchAsync(http, options.Now, cancellationToken).ConfigureAwait(false);
        }
        var snapshot = current;
        var refreshed = new List<string>();
        var failed = new List<string>();
        foreach (var result in results)
        {
            var refusals = result.Parsed is { } feed ? FeedCheck.Refusals(feed.Prefixes, settings.BroadestIPv4Prefix, settings.BroadestIPv6Prefix) : [];
            if (result.Parsed is { } parsed && refusals.Count == 0)
            {
                snapshot = snapshot.With(parsed.Feed, parsed.Prefixes);
                refreshed.Add(result.Provider);
                log.Information($"{result.Provider}: {parsed.Prefixes.Count} prefixes ({parsed.Feed.Date})");
                continue;
            }
            var why = result.Parsed is null ? $"the feed failed ({result.Error})"
                : $"the feed was refused: {string.Join("; ", refusals.Take(20))}{(refusals.Count > 20 ? $"; and {refusals.Count - 20} more" : "")}";
            var kept = current.Feeds.FirstOrDefault(f => f.Provider == result.Provider) is { } old ? $"its part of the snapshot is kept as it was ({old.Date})" : "the snapshot has no part of it yet";
            log.Warning($"{result.Provider}: {why}; {kept}");
            failed.Add(result.Provider);
        }
        if (refreshed.Count == 0)
        {
            Exit = ExitDecision.Refreshed(refreshed, failed, options.Snapshot);
            return current;
        }
        AtomicFile.Write(options.Snapshot, snapshot.ToTsv());
        log.Information($"wrote {options.Snapshot}: {snapshot.Prefixes.Count} prefixes from {snapshot.Feeds.Count} feeds; refreshed {string.Join(", ", refreshed)}{(failed.Count == 0 ? "" : $"; kept {string.Join(", ", failed)} as they were")}");
        Exit = ExitDecision.Refreshed(refreshed, failed, options.Snapshot);
        return snapshot;
    }

    private ProviderKnowledge? _providers;

    /// <summary>
    /// The provider data of every target that uses it: <c>--snapshot</c> when that file exists (so a refresh is used
    /// without rebuilding), the copy built into the library when the default path is absent (README "Provider feeds").
    /// </summary>
    public ProviderKnowledge Providers()
    {
        if (_providers is not null)
            return _providers;
        if (File.Exists(options.Snapshot))
            return _providers = new ProviderKnowledge(ReadSnapshot(options.Snapshot)) { Source = options.Snapshot };
        if (options.Snapshot != RunOptions.DefaultSnapshot)
            throw ReconcilerException.InvalidArgument("snapshot", $"file '{options.Snapshot}' does not exist");
        return _providers = new ProviderKnowledge(ProviderSnapshot.Default);
    }

    private static ProviderSnapshot ReadSnapshot(string file)
    {
        try
        {
            return ProviderSnapshot.Parse(File.ReadAllText(file));
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            throw ReconcilerException.InvalidArgument("snapshot", $"cannot read '{file}': {e.Message}");
        }
    }
}
