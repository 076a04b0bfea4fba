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
public sealed record FindingKindFacts(FindingKind Kind, FindingEffect Effect, FindingSource Source, IssueKey Grouping, string? NotSilenced, FindingStage Stage)
{
    /// <summary>Whether an <c>ignore:</c> entry may name this kind.</summary>
    public bool Silenceable => NotSilenced is null;

    /// <summary>The kinds an <c>ignore:</c> may name, on the wire (policies/policy.schema.json lists the same).</summary>
    public static IReadOnlyList<string> SilenceableWireNames => [.. All.Where(f => f.Silenceable).Select(f => f.Kind.ToWire())];


    /// <summary>One row per kind (a test holds it to <see cref="FindingKind"/>); a new kind adds its row here.</summary>
    public static IReadOnlyList<FindingKindFacts> All { get; } =
    [
        new(FindingKind.MissingIp, FindingEffect.Add, FindingSource.Dns, IssueKey.PerSubject, null, FindingStage.Diff),
        new(FindingKind.StaleIp, FindingEffect.Remove, FindingSource.Dns, IssueKey.PerSubject, null, FindingStage.Diff),
        new(FindingKind.ProviderRangeAdded, FindingEffect.Add, FindingSource.ProviderFeed, IssueKey.PerSubject, null, FindingStage.Diff),
        new(FindingKind.ProviderRangeRemoved, FindingEffect.Remove, FindingSource.ProviderFeed, IssueKey.PerSubject, null, FindingStage.Diff),
        new(FindingKind.OutsideProviderRange, FindingEffect.None, FindingSource.Dns, IssueKey.PerAddress, null, FindingStage.Diff),
        new(FindingKind.CdnFronted, FindingEffect.None, FindingSource.Dns, IssueKey.PerSubject, null, FindingStage.Diff),
        new(FindingKind.StaticIpChanged, FindingEffect.None, FindingSource.Dns, IssueKey.PerAddress, null, FindingStage.Diff),
        new(FindingKind.ResolutionFailed, FindingEffect.None, FindingSource.Dns, IssueKey.PerHost, null, FindingStage.Diff),
        new(FindingKind.EgressIpDrift, FindingEffect.None, FindingSource.EgressEcho, IssueKey.PerSubject, null, FindingStage.Observe),
        new(FindingKind.UserAgentRisk, FindingEffect.None, FindingSource.Policy, IssueKey.PerSubject, null, FindingStage.Check),
        new(FindingKind.ProbeBlocked, FindingEffect.None, FindingSource.Probe, IssueKey.PerAddress, null, FindingStage.Observe),
        new(FindingKind.ProbeFailed, FindingEffect.None, FindingSource.Probe, IssueKey.PerAddress, null, FindingStage.Observe),
        new(FindingKind.OverBroadRule, FindingEffect.None, FindingSource.Policy, IssueKey.PerSubject, null, FindingStage.Check),
        new(FindingKind.LiveRuleDrift, FindingEffect.None, FindingSource.LiveDump, IssueKey.PerSubject, null, FindingStage.Observe),
        new(FindingKind.IgnoreExpired, FindingEffect.None, FindingSource.Policy, IssueKey.PerSubject, "it is the reminder that a silence ran out: silencing it would make an expired ignore last for ever", FindingStage.Diff),
        new(FindingKind.RuleAdmitsNothing, FindingEffect.None, FindingSource.Policy, IssueKey.PerSubject, null, FindingStage.Check),
        new(FindingKind.AddressNotResolved, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review),
        new(FindingKind.RemovalInUse, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review),
        new(FindingKind.RuleWithoutReason, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review),
        new(FindingKind.RemovalHeld, FindingEffect.None, FindingSource.Engine, IssueKey.PerSubject, "the threshold makes it after ignores are applied: it is the only trace of removals kept out of the pull requests", FindingStage.Threshold),
        new(FindingKind.DnsCacheTooLong, FindingEffect.None, FindingSource.Dns, IssueKey.PerSubject, null, FindingStage.Check),
        new(FindingKind.AdditionRefused, FindingEffect.None, FindingSource.Engine, IssueKey.PerAddress, null, FindingStage.Gate),
        new(FindingKind.AdditionHeld, FindingEffect.None, FindingSource.Engine, IssueKey.PerSubject, "the flood guard makes it after ignores are applied: it is the only trace of additions kept out of the pull requests", FindingStage.Threshold),
        new(FindingKind.PolicyWidened, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review),
        new(FindingKind.SafetyWeakened, FindingEffect.None, FindingSource.Review, IssueKey.PerSubject, "review findings judge a change under review, which no ignore in that change may excuse", FindingStage.Review),
        new(FindingKind.ProviderDataStale, FindingEffect.None, FindingSource.ProviderFeed, IssueKey.PerSubject, null, FindingStage.Check),
    ];

    private static readonly Dictionary<FindingKind, FindingKindFacts> ByKind = All.ToDictionary(f => f.Kind);

    public static FindingKindFacts Of(FindingKind kind) =>
        ByKind.TryGetValue(kind, out var facts) ? facts : throw new InvalidOperationException($"{kind} has no row in FindingKindFacts.All");
}

public static class FindingKindFactsExtensions
{
    public static FindingKindFacts Facts(this FindingKind kind) => FindingKindFacts.Of(kind);

    /// <summary>A pull request of this finding would widen an allowlist.</summary>
    public static bool ProposesAddition(this Finding finding) =>
        finding.Action == FindingAction.PullRequest && finding.Kind.Facts().Effect == FindingEffect.Add;
}
