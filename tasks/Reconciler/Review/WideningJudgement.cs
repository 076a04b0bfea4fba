using System.Net;
using Reconciler.Findings;
using Reconciler.Observe;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Review;

/// <summary>
/// Each widening a change makes, judged against the base: every one is a finding at medium or above, high where it
/// opens what should stay shut (README "Review of policy pull requests" has the table). Settings are
/// <c>safety-weakened</c>; the rest <c>policy-widened</c>. Pure.
/// </summary>
internal static class WideningJudgement
{
    /// <summary>An ignore entry reaching further than this past the review is high: silence that outlives the reason for it.</summary>
    private static readonly TimeSpan LongSilence = TimeSpan.FromDays(365);

    /// <param name="gate">The admission gate as the base declares it (its private ranges, every egress address): a change cannot vouch for itself.</param>
    public static IEnumerable<Finding> Judge(IReadOnlyList<Widening> widenings, PolicySet after, ObservationSet observations, AdditionGate gate, DateTimeOffset now)
    {
        foreach (var widening in widenings)
        {
            yield return widening.Kind switch
            {
                WideningKind.Port => Port(widening),
                WideningKind.Host => Host(widening, after, observations, gate),
                WideningKind.Track => Track(widening, after),
                WideningKind.Pinned => Widened(widening, Severity.Medium,
                    $"pinned: true keeps {widening.Subject} in {widening.Allowlist} for {widening.Dependency} even once nothing uses it: Reconciler never proposes removing a pinned destination. Pin only what a partner promised to keep"),
                WideningKind.PrivateRanges => Widened(widening, Severity.Medium,
                    $"{widening.Dependency} now declares the private range {widening.Subject}: private-use DNS answers inside it will be proposed for the allowlists. Check that it is the subnet of an endpoint of ours (a cloud interface endpoint), not one a partner's DNS can point into"),
                WideningKind.Ignore => Ignore(widening, after, now),
                _ => Setting(widening, after.Settings),
            };
        }
    }

    private static Finding Port(Widening widening)
    {
        var port = int.Parse(widening.Subject, System.Globalization.CultureInfo.InvariantCulture);
        var service = SensitivePorts.ServiceOf(port);
        var message = service is null
            ? $"{widening.Allowlist} now opens port {port} for {widening.Dependency}; check that {widening.Dependency} serves on it"
            : $"{widening.Allowlist} now opens port {port} ({service}) for {widening.Dependency}: remote administration, file sharing and databases are how a host is steered from outside or how data leaves in bulk, and no HTTP API needs them. Open it only if {widening.Dependency} really is such a service, and say why in `reason:`";
        return Widened(widening, service is null ? Severity.Medium : Severity.High, message) with { Subject = $"port {port}" };
    }

    private static Finding Host(Widening widening, PolicySet after, ObservationSet observations, AdditionGate gate)
    {
        var lookups = observations.Observations.Where(o => string.Equals(o.Host, widening.Subject, StringComparison.OrdinalIgnoreCase)).ToList();
        var answers = lookups.Where(o => o.Succeeded)
            .SelectMany(o => o.Addresses.Select(a => (Address: a.Address, o.Server)))
            .GroupBy(a => a.Address, StringComparer.Ordinal)
            .Select(g => (Address: g.Key, Servers: g.Select(a => a.Server).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .OrderBy(a => a.Address, StringComparer.Ordinal)
            .ToList();
        var refused = answers
            .Select(a => (a.Address, a.Servers, Why: IPAddress.TryParse(a.Address, out var ip) ? gate.Refusal(widening.Dependency, new IPNetwork(ip, ip.GetAddressBytes().Length * 8)) : "not an address"))
            .Where(a => a.Why is not null)
            .ToList();
        var evidence = answers.Select(a => new Evidence("dns", $"{widening.Subject} resolves to {a.Address} at {string.Join(", ", a.Servers)}")).ToList();
        var trackedByName = after.FindDependency(widening.Dependency)?.Track == TrackMode.Domain;
        var consequence = trackedByName
            ? "a proxy that admits it by name will connect wherever it points"
            : $"Plan will propose admitting whatever it resolves to for {widening.Dependency}";
        if (refused.Count > 0)
        {
            return Widened(widening, Severity.High,
                $"{widening.Dependency} now names {widening.Subject}, which resolves to {string.Join("; ", refused.Select(r => $"{r.Address} (at {string.Join(", ", r.Servers)}), {r.Why}"))}. The admission gate never proposes such an address; a partner's name does not answer there, so check who controls {widening.Subject}") with { Evidence = evidence, Host = widening.Subject };
        }
        var today = answers.Count > 0
            ? $"it resolves to {string.Join(", ", answers.Select(a => a.Address))} today"
            : lookups.Count > 0 ? "it did not resolve in this review" : "it was not resolved";
        return Widened(widening, Severity.Medium,
            $"{widening.Dependency} now names {widening.Subject} ({today}): {consequence}. Check that the name is the partner's") with { Evidence = evidence, Host = widening.Subject };
    }

    private static Finding Track(Widening widening, PolicySet after)
    {
        var dependency = after.FindDependency(widening.Dependency);
        var what = widening.Is switch
        {
            "domain" => $"a proxy admits {widening.Dependency} by name wherever its names point, and Plan stops comparing its addresses with the allowlists (no missing-ip, no stale-ip)",
            "provider" => $"every prefix {dependency?.Provider?.Name ?? "its provider"} publishes for {dependency?.Provider?.Service ?? "the service"} becomes admissible, not just the addresses {widening.Dependency} resolves to",
            _ => "Plan will propose admitting whatever DNS answers, where a static partner's answers elsewhere were drift to report",
        };
        return Widened(widening, Severity.Medium, $"{widening.Dependency} goes from track: {widening.Was} to track: {widening.Is}: {what}");
    }

    private static Finding Ignore(Widening widening, PolicySet after, DateTimeOffset now)
    {
        var entry = after.Ignores.FirstOrDefault(i => PolicyWidenings.Describe(i) == widening.Subject);
        var blanket = entry is not null && (entry.Dependency is null || entry.Kind is null);
        var far = entry is not null && entry.Expires.ToDateTime(TimeOnly.MinValue) - now.UtcDateTime > LongSilence;
        var why = (blanket, far) switch
        {
            (true, true) => $"; it silences more than one kind of drift, for more than a year",
            (true, false) => "; it silences more than one kind of drift",
            (false, true) => $"; that is more than a year away",
            _ => "",
        };
        var action = widening.Was.Length == 0 ? "silences" : $"extends the silence (was until {widening.Was}) of";
        return Widened(widening, blanket || far ? Severity.High : Severity.Medium,
            $"an ignore entry {action} {widening.Subject} until {widening.Is}{why}. What it names is dropped from every report, pull request and issue until then") with { Subject = $"ignore {widening.Subject}" };
    }

    /// <summary>Where a setting turns its guard nearly off (high) rather than loosening it (medium).</summary>
    private static Finding Setting(Widening widening, PolicySettings now)
    {
        var (high, guards) = widening.Subject switch
        {
            "stale_after" => (now.StaleAfter < TimeSpan.FromDays(1),
                "how long an address must go unseen before it is proposed for removal; under a day, a partner used weekly loses its addresses between two calls"),
            "max_removal_share" => (now.MaxRemovalShare > 0.5,
                "how much of an allowlist one pull request may remove; over half, one plan can cut most of an allowlist"),
            "max_new_addresses" => (now.MaxNewAddresses > 100,
                "how many DNS-derived addresses one rule may gain in a run; over a hundred, a flood of answers becomes one pull request"),
            "broadest_ipv4_prefix" => (now.BroadestIPv4Prefix < 8,
                "which IPv4 prefixes are over-broad; under /8 the rules that already count as high pass unreported"),
            _ => (now.BroadestIPv6Prefix < 16,
                "which IPv6 prefixes are over-broad; under /16 the rules that already count as high pass unreported"),
        };
        return new Finding
        {
            Kind = FindingKind.SafetyWeakened,
            Severity = high ? Severity.High : Severity.Medium,
            Dependency = widening.Dependency,
            Subject = "settings." + widening.Subject,
            Message = $"settings.{widening.Subject} goes from {widening.Was} to {widening.Is}; it sets {guards}",
            Action = FindingAction.None,
            Location = widening.Location,
        };
    }

    private static Finding Widened(Widening widening, Severity severity, string message) => new()
    {
        Kind = FindingKind.PolicyWidened,
        Severity = severity,
        Dependency = widening.Dependency,
        Allowlist = widening.Allowlist,
        Subject = widening.Subject,
        Message = message,
        Action = FindingAction.None,
        Location = widening.Location,
    };
}
