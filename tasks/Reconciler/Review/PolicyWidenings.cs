using System.Globalization;
using Reconciler.Diagnostics;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Review;

/// <summary>
/// Everything a change to the policies widens besides admitted addresses and domains (<see cref="PolicyChanges"/>
/// has those), compared with the base: ports, hosts, track, pins, private ranges, ignore entries and the safety
/// settings. What the base did not have is compared with what a new policy gets by default. Pure.
/// </summary>
public static class PolicyWidenings
{
    private const int DefaultPort = 443;

    public static IReadOnlyList<Widening> Compare(PolicySet? before, PolicySet after)
    {
        var at = new PolicyPositions(after);
        var widenings = new List<Widening>();
        widenings.AddRange(Ports(before, after, at));
        widenings.AddRange(Dependencies(before, after, at));
        widenings.AddRange(Pins(before, after, at));
        widenings.AddRange(Ignores(before, after, at));
        widenings.AddRange(Settings(before?.Settings ?? PolicySettings.Default, after.Settings, after, at));
        return widenings;
    }

    /// <summary>
    /// Ports each allowlist opens for each dependency, as rendered (a rule's own ports, else its dependency's). A pair
    /// the base did not have is compared with its dependency's ports at the base, or 443 for a new dependency.
    /// </summary>
    private static IEnumerable<Widening> Ports(PolicySet? before, PolicySet after, PolicyPositions at)
    {
        foreach (var allowlist in after.Allowlists)
        {
            foreach (var group in allowlist.Rules.GroupBy(r => r.Dependency, StringComparer.Ordinal))
            {
                var dependency = after.FindDependency(group.Key);
                var wasRules = before?.FindAllowlist(allowlist.Name)?.Rules.Where(r => r.Dependency == group.Key).ToList() ?? [];
                var was = wasRules.Count > 0
                    ? wasRules.SelectMany(r => EffectivePorts(before!, r)).ToHashSet()
                    : (before?.FindDependency(group.Key)?.Ports ?? [DefaultPort]).ToHashSet();
                foreach (var rule in group)
                {
                    foreach (var port in EffectivePorts(after, rule).Where(p => !was.Contains(p)).Order())
                    {
                        was.Add(port); // once per pair, at the first rule that opens it
                        var text = port.ToString(CultureInfo.InvariantCulture);
                        var location = rule.Ports.Count > 0
                            ? at.Item(rule.Location, "ports", text)
                            : dependency is null ? null : at.Item(dependency.Location, "ports", text) ?? dependency.Location;
                        yield return new Widening(WideningKind.Port, allowlist.Name, group.Key, text, "", text, location ?? rule.Location);
                    }
                }
            }
        }
    }

    private static IEnumerable<int> EffectivePorts(PolicySet policies, AllowlistRule rule) =>
        rule.Ports.Count > 0 ? rule.Ports : policies.FindDependency(rule.Dependency)?.Ports ?? [DefaultPort];

    /// <summary>Hosts, track and private ranges of each dependency; a new dependency against the defaults (no hosts, <c>track: dns</c>).</summary>
    private static IEnumerable<Widening> Dependencies(PolicySet? before, PolicySet after, PolicyPositions at)
    {
        foreach (var dependency in after.Dependencies)
        {
            var old = before?.FindDependency(dependency.Name);
            var oldHosts = (old?.Hosts ?? []).Select(h => h.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var host in dependency.Hosts.Where(h => !oldHosts.Contains(h.Value)))
                yield return new Widening(WideningKind.Host, null, dependency.Name, host.Value, "", host.Value, host.Location);

            var wasTrack = old?.Track ?? TrackMode.Dns;
            if (Widens(wasTrack, dependency.Track))
            {
                yield return new Widening(WideningKind.Track, null, dependency.Name, "track", Name(wasTrack), Name(dependency.Track),
                    at.Value(dependency.Location, "track") ?? dependency.Location);
            }

            var oldRanges = (old?.PrivateRanges ?? []).Select(r => r.Value).ToList();
            foreach (var range in dependency.PrivateRanges.Where(r => !oldRanges.Any(o => Networks.Covers(o, r.Value))))
                yield return new Widening(WideningKind.PrivateRanges, null, dependency.Name, Networks.Format(range.Value), "", Networks.Format(range.Value), range.Location);
        }
    }

    /// <summary>
    /// Trust grows from <c>static</c> (fixed addresses) to <c>dns</c> (whatever DNS says) to <c>provider</c> (all of a
    /// provider's published ranges) or <c>domain</c> (any address, by name at a proxy). Those two are not comparable,
    /// so a move between them is a widening too; only a move down the chain narrows.
    /// </summary>
    internal static bool Widens(TrackMode was, TrackMode now) => was != now && !(Rank(now) < Rank(was));

    private static int Rank(TrackMode track) => track switch
    {
        TrackMode.Static => 0,
        TrackMode.Dns => 1,
        _ => 2,
    };

    private static string Name(TrackMode track) => track.ToString().ToLowerInvariant();

    /// <summary>Destinations that a pinned rule of the same allowlist and dependency now holds and none held at the base.</summary>
    private static IEnumerable<Widening> Pins(PolicySet? before, PolicySet after, PolicyPositions at)
    {
        foreach (var allowlist in after.Allowlists)
        {
            foreach (var rule in allowlist.Rules.Where(r => r.Pinned))
            {
                var wasPinned = (before?.FindAllowlist(allowlist.Name)?.Rules ?? [])
                    .Where(r => r.Pinned && r.Dependency == rule.Dependency)
                    .SelectMany(r => r.Admits).Select(d => d.Value).ToList();
                var newly = rule.Admits.Select(d => d.Value).Where(d => !wasPinned.Any(p => Networks.Covers(p, d))).Select(Networks.Format).ToList();
                if (newly.Count == 0)
                    continue;
                yield return new Widening(WideningKind.Pinned, allowlist.Name, rule.Dependency, string.Join(", ", newly), "", "pinned",
                    at.Value(rule.Location, "pinned") ?? rule.Location);
            }
        }
    }

    /// <summary>An ignore entry is known by what it silences (dependency, kind, subject); a new one, or a later expiry, widens.</summary>
    private static IEnumerable<Widening> Ignores(PolicySet? before, PolicySet after, PolicyPositions at)
    {
        var was = (before?.Ignores ?? []).GroupBy(Key).ToDictionary(g => g.Key, g => g.Max(i => i.Expires));
        foreach (var ignore in after.Ignores)
        {
            var expires = ignore.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (!was.TryGetValue(Key(ignore), out var until))
                yield return new Widening(WideningKind.Ignore, null, ignore.Dependency ?? "*", Describe(ignore), "", expires, ignore.Location);
            else if (ignore.Expires > until)
                yield return new Widening(WideningKind.Ignore, null, ignore.Dependency ?? "*", Describe(ignore), until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), expires, at.Value(ignore.Location, "expires") ?? ignore.Location);
        }
    }

    private static (string?, string?, string?) Key(IgnoreEntry ignore) => (ignore.Dependency, ignore.Kind, ignore.Subject);

    /// <summary>What an entry silences, for people: "missing-ip of every dependency", "every finding of ledger about 192.0.2.9".</summary>
    internal static string Describe(IgnoreEntry ignore) =>
        $"{ignore.Kind ?? "every finding"} of {(ignore.Dependency is null ? "every dependency" : ignore.Dependency)}{(ignore.Subject is null ? "" : $" about {ignore.Subject}")}";

    /// <summary>The settings that guard safety, each with the direction in which it weakens.</summary>
    private static IEnumerable<Widening> Settings(PolicySettings was, PolicySettings now, PolicySet after, PolicyPositions at)
    {
        Widening Setting(string key, string from, string to) =>
            new(WideningKind.Setting, null, "*", key, from, to, at.Setting(key) ?? new SourceLocation(after.Files.Count > 0 ? after.Files[0] : "policies", 1, 1));

        if (now.StaleAfter < was.StaleAfter)
            yield return Setting("stale_after", Duration(was.StaleAfter), Duration(now.StaleAfter));
        if (now.MaxRemovalShare > was.MaxRemovalShare)
            yield return Setting("max_removal_share", Share(was.MaxRemovalShare), Share(now.MaxRemovalShare));
        if (now.MaxNewAddresses > was.MaxNewAddresses)
            yield return Setting("max_new_addresses", Number(was.MaxNewAddresses), Number(now.MaxNewAddresses));
        if (now.BroadestIPv4Prefix < was.BroadestIPv4Prefix)
            yield return Setting("broadest_ipv4_prefix", Number(was.BroadestIPv4Prefix), Number(now.BroadestIPv4Prefix));
        if (now.BroadestIPv6Prefix < was.BroadestIPv6Prefix)
            yield return Setting("broadest_ipv6_prefix", Number(was.BroadestIPv6Prefix), Number(now.BroadestIPv6Prefix));
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Share(double share) => (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    /// <summary>In the largest whole unit: 14d, 36h, 90m.</summary>
    internal static string Duration(TimeSpan span) =>
        span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes:0}m"
        : $"{span.TotalSeconds:0}s";
}
