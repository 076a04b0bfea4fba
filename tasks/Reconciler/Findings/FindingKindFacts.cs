namespace Reconciler.Findings;

/// <summary>What a finding's pull request does to an allowlist.</summary>
public enum FindingEffect
{
    /// <summary>Nothing: the finding is an issue or a note, never an edit.</summary>
    None,
    /// <summary>It widens an allowlist: it passes the addition gate (README "Trust boundary").</summary>
    Add,
    /// <summary>It narrows an allowlist: it needs the removal proof and threshold (README "What Reconciler will never do").</summary>
    Remove,
}

/// <summary>What a kind of finding is learnt from: who could have written what it says.</summary>
public enum FindingSource
{
    /// <summary>DNS answers, this run's or remembered: written by third parties.</summary>
    Dns,
    /// <summary>The provider snapshot, reviewed when it was committed.</summary>
    ProviderFeed,
    /// <summary>The policies alone.</summary>
    Policy,
    Probe,
    EgressEcho,
    LiveDump,
    /// <summary>A change to the policies under review.</summary>
    Review,
    /// <summary>The engine's judgement over other findings (held, refused).</summary>
    Engine,
}

/// <summary>What one issue of a kind gathers (README "How Plan decides").</summary>
public enum IssueKey
{
    /// <summary>One issue per dependency and subject found: each is its own matter.</summary>
    PerSubject,
    /// <summary>Found once per address: one issue per dependency (or probe URL) lists the addresses, so a pool that moves updates it.</summary>
    PerAddress,
    /// <summary>Found once per host: one issue per dependency lists the hosts.</summary>
    PerHost,
}

/// <summary>What an issue of a kind says beyond its findings (README "How Plan decides").</summary>
[Flags]
public enum IssueParts
{
    None = 0,
    /// <summary>Its subject is the dependency's probe URL, not the dependency: the probe is what failed, at each of its addresses.</summary>
    ProbeUrlSubject = 1,
    /// <summary>Its body charts the addresses the dependency's hosts were seen at: the issue is about where they resolve.</summary>
    AddressTimeline = 2,
    /// <summary>Its body says how to admit the dependency by name at a proxy instead of by address.</summary>
    CdnAdvice = 4,
}

/// <summary>The step of the run that makes a kind of finding (README "How Plan decides" tells them in order).</summary>
public enum FindingStage
{
    /// <summary>The diff of the policies against DNS answers, the memory and the provider snapshot.</summary>
    Diff,
    /// <summary>Observation beyond DNS: probes, the egress echo, live rule dumps.</summary>
    Observe,
    /// <summary>Checks of the policies themselves.</summary>
    Check,
    /// <summary>The addition gate, before ignores are applied.</summary>
    Gate,
    /// <summary>The thresholds (flood of additions, share of removals), after ignores are applied.</summary>
    Threshold,
    /// <summary>The review of a change to the policies.</summary>
    Review,
}

/// <summary>The facts about one kind of finding that the engine decides by, in one row per kind.</summary>
/// <param name="Grouping">What one issue of this kind gathers.</param>
/// <param name="NotSilenced">Why an <c>ignore:</c> may not name this kind (the binder refuses it), or null when one may.</param>
/// <param name="Stage">The step that makes it: an ignore can only silence what is made before ignores are applied.</param>
/// <param name="Title">Its issue's title, as a sentence a person reads in a list of issues (<see cref="TitleParts.Plain"/> when it words none of its own).</param>
/// <param name="Issue">What its issue says beyond its findings.</param>
/// <param name="OwnedBy">
/// What its <see cref="Finding.Dependency"/> names: a dependency; an identity; or, for live drift of a rule that belongs
/// to no dependency (the allowlist's own name in that field), the allowlist's hosts. A policy-wide <c>*</c> and a
/// prefix set's findings are told by their fields, whatever the kind (<see cref="FindingOwner.Of"/>).
/// </param>
public sealed record FindingKindFacts(
    FindingKind Kind,
    FindingEffect Effect,
    FindingSource Source,
    IssueKey Grouping,
    string? NotSilenced,
    FindingStage Stage,
    Func<TitleParts, string> Title,
    IssueParts Issue = IssueParts.None,
    OwnerKind OwnedBy = OwnerKind.Dependency)
{
    /// <summary>Whether an <c>ignore:</c> entry may name this kind.</summary>
    public bool Silenceable => NotSilenced is null;

    /// <summary>The kinds an <c>ignore:</c> may name, on the wire (policies/policy.schema.json lists the same).</summary>
    public static IReadOnlyList<string> SilenceableWireNames => [.. All.Where(f => f.Silenceable).Select(f => f.Kind.ToWire())];


    /// <summary>One row per kind (a test holds it to <see cref="FindingKind"/>); a new kind adds its row here.</summary>
    public static IReadOnlyList<FindingKindFacts> All { get; } =
    [
        new(FindingKind.MissingIp, FindingEffect.Add, FindingSource.Dns, IssueKey.PerSubject, null, FindingStage.Diff,
            Title: TitleParts.Plain),
        new(FindingKind.StaleIp, FindingEffect.Remove, FindingSource.Dns, IssueKey.PerSubject, null, FindingStage.Diff,
            Title: TitleParts.Plain),
        new(FindingKind.ProviderRangeAdded, FindingEffect.Add, FindingSource.ProviderFeed, IssueKey.PerSubject, null, FindingStage.Diff,
            Title: TitleParts.Plain),
        new(FindingKind.ProviderRangeRemoved, FindingEffect.Remove, FindingSource.ProviderFeed, IssueKey.PerSubject, null, FindingStage.Diff,
            Title: TitleParts.Plain),
        new(FindingKind.OutsideProviderRange, FindingEffect.None, FindingSource.Dns, IssueKey.PerAddress, null, FindingStage.Diff, Issue: IssueParts.AddressTimeline,
            Title: p => $"{p.Dependency}: {p.HostOrDependency} resolves outside its provider's published ranges ({p.At})"),
        new(FindingKind.CdnFronted, FindingEffect.None, FindingSource.Dns, IssueKey.PerSubject, null, FindingStage.Diff, Issue: IssueParts.AddressTimeline | IssueParts.CdnAdvice,
            Title: p => $"{p.Dependency}: now behind {p.Subject}; admit it by name at a proxy"),
        new(FindingKind.StaticIpChanged, FindingEffect.None, FindingSource.Dns, IssueKey.PerAddress, null, FindingStage.Diff, Issue: IssueParts.AddressTimeline,
            Title: p => $"{p.Dependency}: {p.HostOrDependency} resolves outside the partner's addresses ({p.At})"),
        new(FindingKind.ResolutionFailed, FindingEffect.None, FindingSource.Dns, IssueKey.PerHost, null, FindingStage.Diff,
            Title: p => $"{p.Dependency}: {p.Few} {(p.Subjects.Count == 1 ? "does" : "do")} not resolve"),
        new(FindingKind.EgressIpDrift, FindingEffect.None, FindingSource.EgressEcho, IssueKey.PerSubject, null, FindingStage.Observe, OwnedBy: OwnerKind.Identity,
            Title: p => $"{p.Dependency}: we leave from {p.Subject}, which partners may not admit"),
        new(FindingKind.UserAgentRisk, FindingEffect.None, FindingSource.Policy, IssueKey.PerSubject, null, FindingStage.Check,
            Title: p => $"{p.Dependency}: WAFs may refuse the user agent \"{p.Subject}\""),
        new(FindingKind.ProbeBlocked, FindingEffect.None, FindingSource.Probe, IssueKey.PerAddress, null, FindingStage.Observe, Issue: IssueParts.ProbeUrlSubject,
            Title: p => $"{p.Dependency}: {p.Waf ?? "a WAF"} refuses our probe of {p.HostOrDependency} ({p.At})"),
        new(FindingKind.ProbeFailed, FindingEffect.None, FindingSource.Probe, IssueKey.PerAddress, null, FindingStage.Observe, Issue: IssueParts.ProbeUrlSubject,
            Title: p => $"{p.Dependency}: the probe of {p.Subject} fails at {p.At}"),
        new(FindingKind.OverBroadRule, FindingEffect.None, FindingSource.Policy, IssueKey.PerSubject, null, FindingStage.Check,
            Title: p => $"{p.Dependency}: {p.Allowlist ?? "an allowlist"} admits far more than it needs ({p.Few})"),
        new(FindingKind.LiveRuleDrift, FindingEffect.None, FindingSource.LiveDump, IssueKey.PerSubject, null, FindingStage.Observe, OwnedBy: OwnerKind.AllowlistHosts,
            Title: p => $"{p.Dependency}: hosts of {p.Allowlist} run other rules than the policies say"),
        new(FindingKind.IgnoreExpired, FindingEffect.None, FindingSource.Policy, IssueKey.PerSubject, "it is the reminder that a silence ran out: silencing it would make an expired ignore last for ever", FindingStage.Diff,
            Title: p => $"An ignore entry for {p.Dependency} has expired ({p.Subject})"),
        new(FindingKind.RuleAdmitsNothing, FindingEffect.None, FindingSource.Policy, IssueKey.PerSubject, null, FindingStage.Check,
            Title: p => $"{p.Dependency}: a rule of {p.Allowlist} admits none of its traffic"),
        new(FindingKind.AddressNotResolved, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review,
            Title: TitleParts.Plain),
        new(FindingKind.RemovalInUse, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review,
            Title: TitleParts.Plain),
        new(FindingKind.RuleWithoutReason, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review,
            Title: TitleParts.Plain),
        new(FindingKind.RemovalHeld, FindingEffect.None, FindingSource.Engine, IssueKey.PerSubject, "the threshold makes it after ignores are applied: it is the only trace of removals kept out of the pull requests", FindingStage.Threshold,
            Title: p => $"{p.Dependency}: removals from {p.Allowlist ?? "prefix set " + p.PrefixSet} held back for a person to check"),
        new(FindingKind.DnsCacheTooLong, FindingEffect.None, FindingSource.Dns, IssueKey.PerSubject, null, FindingStage.Check,
            Title: p => $"{p.Dependency}: {p.Subject} keeps DNS answers longer than they live"),
        new(FindingKind.AdditionRefused, FindingEffect.None, FindingSource.Engine, IssueKey.PerAddress, null, FindingStage.Gate,
            Title: p => $"{p.Dependency}: {p.Few} not proposed, outside the trust boundary"),
        new(FindingKind.AdditionHeld, FindingEffect.None, FindingSource.Engine, IssueKey.PerSubject, "the flood guard makes it after ignores are applied: it is the only trace of additions kept out of the pull requests", FindingStage.Threshold,
            Title: p => $"{p.Dependency}: a flood of new addresses for {p.Allowlist} held back for a person to check"),
        new(FindingKind.PolicyWidened, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review,
            Title: TitleParts.Plain),
        new(FindingKind.SafetyWeakened, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review,
            Title: TitleParts.Plain),
        new(FindingKind.ProviderDataStale, FindingEffect.None, FindingSource.ProviderFeed, IssueKey.PerSubject, null, FindingStage.Check,
            Title: p => $"{p.Dependency}: the {p.Subject} provider data it follows is out of date"),
    ];

    private static readonly Dictionary<FindingKind, FindingKindFacts> ByKind = All.ToDictionary(f => f.Kind);

    public static FindingKindFacts Of(FindingKind kind) =>
        ByKind.TryGetValue(kind, out var facts) ? facts : throw new InvalidOperationException($"{kind} has no row in FindingKindFacts.All");
}

public static class FindingKindFactsExtensions
{
    public static FindingKindFacts Facts(this FindingKind kind) => FindingKindFacts.Of(kind);

    /// <summary>A pull request of this finding would narrow an allowlist or a prefix set (the removal gate and the threshold judge it).</summary>
    public static bool ProposesRemoval(this Finding finding) =>
        finding.Action == FindingAction.PullRequest && finding.Kind.Facts().Effect == FindingEffect.Remove;

    /// <summary>A pull request of this finding would widen an allowlist.</summary>
    public static bool ProposesAddition(this Finding finding) =>
        finding.Action == FindingAction.PullRequest && finding.Kind.Facts().Effect == FindingEffect.Add;
}
