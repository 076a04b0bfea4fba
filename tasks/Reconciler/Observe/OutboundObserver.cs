using System.Net;
using Reconciler.Findings;
using Reconciler.Policies.Model;

namespace Reconciler.Observe;

/// <summary>
/// How partners see us: every dependency with a <c>probe</c> is requested at each address DNS gave for its URL's
/// host, with its identity's user agent and through its identity's proxy; every identity's egress address is
/// asked of the echo endpoint. A probe or discovery that cannot run is a note, never a finding it did not earn.
/// </summary>
/// <param name="resolve">Resolves a host name with the run's own name servers (never the system's behind the user's back).</param>
public sealed class OutboundObserver(HttpProber prober, Func<string, CancellationToken, Task<IReadOnlyList<IPAddress>>> resolve)
{
    /// <summary>What a browser sends, less the browser: enough for a WAF's "is it a bot" check to pass.</summary>
    public const string NeutralUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) reconciler-probe/1.0";

    public async Task<ObserverResult> ProbeAsync(PolicySet policies, ObservationSet observations, CancellationToken cancellationToken = default)
    {
        var findings = new List<Finding>();
        var notes = new List<string>();
        var addresses = observations.Observations.Where(o => o.Succeeded)
            .ToLookup(o => o.Host.ToLowerInvariant(), o => o.Addresses.Select(a => a.Address));
        using var gate = new SemaphoreSlim(8);
        var probes = new List<Task<(Finding? Finding, ProbeSample Sample)>>();
        foreach (var dependency in policies.Dependencies.Where(d => d.Probe is not null))
        {
            var probe = dependency.Probe!;
            var identity = dependency.Identity is { } name ? policies.FindIdentity(name) : null;
            var userAgent = identity?.UserAgent ?? NeutralUserAgent;
            var proxy = ProxyOf(policies, identity, notes);
            var targets = addresses[probe.Url.Host.ToLowerInvariant()].SelectMany(a => a).Distinct().Order(StringComparer.Ordinal).ToList();
            if (targets.Count == 0)
            {
                notes.Add($"{dependency.Name}: not probed: {probe.Url.Host} gave no address this run");
                continue;
            }
            foreach (var target in targets)
                probes.Add(Throttled(gate, () => ProbeOneAsync(dependency, probe, IPAddress.Parse(target), userAgent, proxy, cancellationToken)));
        }
        var done = await Task.WhenAll(probes).ConfigureAwait(false);
        findings.AddRange(done.Select(p => p.Finding).OfType<Finding>());
        return new ObserverResult(findings, notes) { Probes = [.. done.Select(p => p.Sample)] };
    }

    public async Task<ObserverResult> DiscoverEgressAsync(PolicySet policies, CancellationToken cancellationToken = default)
    {
        var findings = new List<Finding>();
        var notes = new List<string>();
        if (policies.Settings.EgressEcho is not { } echo)
            return new ObserverResult(findings, ["egress addresses not checked: settings.egress_echo is not set"]);
        var echoAddresses = IPAddress.TryParse(echo.Host.Trim('[', ']'), out var literal) ? [literal] : await resolve(echo.Host, cancellationToken).ConfigureAwait(false);
        foreach (var identity in policies.Identities.Where(i => i.EgressIps.Count > 0))
        {
            if (echoAddresses.Count == 0)
            {
                notes.Add($"egress of {identity.Name} not checked: {echo.Host} does not resolve");
                continue;
            }
            var result = await prober.ProbeAsync(echo, echoAddresses[0], identity.UserAgent ?? NeutralUserAgent, ProxyOf(policies, identity, notes), cancellationToken).ConfigureAwait(false);
            var text = result.BodyExcerpt.Trim();
            if (result.Status != 200 || !IPAddress.TryParse(text, out var seen))
            {
                notes.Add($"egress of {identity.Name} not checked: {echo} answered {(result.Failure ?? $"{result.Status} '{text}'")}");
                continue;
            }
            if (identity.EgressIps.Any(e => e.Value.Equals(seen)))
                continue;
            findings.Add(new Finding
            {
                Kind = FindingKind.EgressIpDrift,
                Severity = Severity.High,
                Dependency = identity.Name,
                Subject = seen.ToString(),
                Message = $"identity {identity.Name} leaves from {seen}, not from {string.Join(", ", identity.EgressIps.Select(e => e.Value))} that partners have allowlisted: their WAFs will refuse it. Tell the partners, or fix the route or proxy.",
                Action = FindingAction.Issue,
                Evidence = [new Evidence(echo.ToString(), $"answered {seen}")],
                Location = identity.Location,
            });
        }
        return new ObserverResult(findings, notes);
    }

    /// <summary>The proxy an identity's traffic goes through: its proxy allowlist's <c>url</c>.</summary>
    private static Uri? ProxyOf(PolicySet policies, Policies.Model.Identity? identity, List<string> notes)
    {
        if (identity?.Proxy is not { } name)
            return null;
        if (policies.FindAllowlist(name)?.Url is { } url)
            return url;
        notes.Add($"identity {identity.Name} goes through {name}, which has no url: its probes went direct");
        return null;
    }

    private async Task<(Finding? Finding, ProbeSample Sample)> ProbeOneAsync(Dependency dependency, ProbeSpec probe, IPAddress address, string userAgent, Uri? proxy, CancellationToken cancellationToken)
    {
        var result = await prober.ProbeAsync(probe.Url, address, userAgent, proxy, cancellationToken).ConfigureAwait(false);
        var finding = await JudgeAsync(dependency, probe, address, userAgent, proxy, result, cancellationToken).ConfigureAwait(false);
        return (finding, new ProbeSample(dependency.Name, probe.Url, address.ToString(), result.Status, finding is null, result.Failure, result.Elapsed));
    }

    private async Task<Finding?> JudgeAsync(Dependency dependency, ProbeSpec probe, IPAddress address, string userAgent, Uri? proxy, ProbeResult result, CancellationToken cancellationToken)
    {
        // Without expect_status, any 2xx or 3xx is an answer; the message says what the check accepted.
        var expected = probe.ExpectStatus.Count > 0 ? probe.ExpectStatus : [.. Enumerable.Range(200, 200)];
        var accepted = probe.ExpectStatus.Count > 0 ? "one of " + string.Join(", ", probe.ExpectStatus) : "2xx or 3xx";
        if (WafClassifier.BlockedBy(result, expected) is { } waf)
        {
            var neutral = await prober.ProbeAsync(probe.Url, address, NeutralUserAgent, proxy, cancellationToken).ConfigureAwait(false);
            var cause = WafClassifier.BlockedBy(neutral, expected) is null && neutral.Failure is null
                ? $"Re-probed with a neutral user agent, it answered {neutral.Status}: the user agent \"{userAgent}\" is the cause."
                : "Re-probed with a neutral user agent, it was refused too: the cause is not the user agent (our egress address, or the WAF's rules).";
            return Finding(dependency, FindingKind.ProbeBlocked, Severity.High, address, probe,
                $"{probe.Url} at {address} was refused by {waf} ({result.Status}). {cause}", result, neutral) with { Waf = waf };
        }
        if (result.Failure is { } failure)
            return Finding(dependency, FindingKind.ProbeFailed, Severity.High, address, probe, $"{probe.Url} at {address} failed: {failure}.", result, null);
        if (!expected.Contains(result.Status!.Value))
            return Finding(dependency, FindingKind.ProbeFailed, Severity.Medium, address, probe,
                $"{probe.Url} at {address} answered {result.Status}, not {accepted}.", result, null);
        return null;
    }

    private static Finding Finding(Dependency dependency, FindingKind kind, Severity severity, IPAddress address, ProbeSpec probe, string message, ProbeResult result, ProbeResult? neutral)
    {
        static Evidence Of(ProbeResult r) => new(
            r.UserAgent,
            r.Failure ?? $"status {r.Status}; server {r.Header("server") ?? "-"}{(r.Header("cf-ray") is { } ray ? "; cf-ray " + ray : "")}; body: {(r.BodyExcerpt.Length == 0 ? "(empty)" : r.BodyExcerpt)}");
        return new Finding
        {
            Kind = kind,
            Severity = severity,
            Dependency = dependency.Name,
            Host = probe.Url.Host,
            Subject = address.ToString(),
            Message = message,
            Action = FindingAction.Issue,
            Evidence = neutral is null ? [Of(result)] : [Of(result), Of(neutral)],
            Location = probe.Location,
        };
    }

    private static async Task<T> Throttled<T>(SemaphoreSlim gate, Func<Task<T>> probe)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await probe().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
