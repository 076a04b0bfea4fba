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

/// <summary>The facts about one kind of finding that the engine decides by, in one row per kind.</summary>
public sealed record FindingKindFacts(FindingKind Kind, FindingEffect Effect, FindingSource Source)
{
    /// <summary>One row per kind (a test holds it to <see cref="FindingKind"/>); a new kind adds its row here.</summary>
    public static IReadOnlyList<FindingKindFacts> All { get; } =
    [
        new(FindingKind.MissingIp, FindingEffect.Add, FindingSource.Dns),
        new(FindingKind.StaleIp, FindingEffect.Remove, FindingSource.Dns),
        new(FindingKind.ProviderRangeAdded, FindingEffect.Add, FindingSource.ProviderFeed),
        new(FindingKind.ProviderRangeRemoved, FindingEffect.Remove, FindingSource.ProviderFeed),
        new(FindingKind.OutsideProviderRange, FindingEffect.None, FindingSource.Dns),
        new(FindingKind.CdnFronted, FindingEffect.None, FindingSource.Dns),
        new(FindingKind.StaticIpChanged, FindingEffect.None, FindingSource.Dns),
        new(FindingKind.ResolutionFailed, FindingEffect.None, FindingSource.Dns),
        new(FindingKind.EgressIpDrift, FindingEffect.None, FindingSource.EgressEcho),
        new(FindingKind.UserAgentRisk, FindingEffect.None, FindingSource.Policy),
        new(FindingKind.ProbeBlocked, FindingEffect.None, FindingSource.Probe),
        new(FindingKind.ProbeFailed, FindingEffect.None, FindingSource.Probe),
        new(FindingKind.OverBroadRule, FindingEffect.None, FindingSource.Policy),
        new(FindingKind.LiveRuleDrift, FindingEffect.None, FindingSource.LiveDump),
        new(FindingKind.IgnoreExpired, FindingEffect.None, FindingSource.Policy),
        new(FindingKind.RuleAdmitsNothing, FindingEffect.None, FindingSource.Policy),
        new(FindingKind.AddressNotResolved, FindingEffect.None, FindingSource.Review),
        new(FindingKind.RemovalInUse, FindingEffect.None, FindingSource.Review),
        new(FindingKind.RuleWithoutReason, FindingEffect.None, FindingSource.Review),
        new(FindingKind.RemovalHeld, FindingEffect.None, FindingSource.Engine),
        new(FindingKind.DnsCacheTooLong, FindingEffect.None, FindingSource.Dns),
        new(FindingKind.AdditionRefused, FindingEffect.None, FindingSource.Engine),
        new(FindingKind.AdditionHeld, FindingEffect.None, FindingSource.Engine),
        new(FindingKind.PolicyWidened, FindingEffect.None, FindingSource.Review),
        new(FindingKind.SafetyWeakened, FindingEffect.None, FindingSource.Review),
        new(FindingKind.ProviderDataStale, FindingEffect.None, FindingSource.ProviderFeed),
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
