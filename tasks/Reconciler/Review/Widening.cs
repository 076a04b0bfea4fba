using Reconciler.Diagnostics;

namespace Reconciler.Review;

/// <summary>What a pull request widens besides the addresses and domains an allowlist admits (README "Review of policy pull requests").</summary>
public enum WideningKind
{
    /// <summary>A port an allowlist now opens for a dependency.</summary>
    Port,
    /// <summary>A host a dependency now names: Plan will propose admitting whatever it resolves to.</summary>
    Host,
    /// <summary>A <c>track:</c> that trusts more than before (static, then dns, then provider or domain).</summary>
    Track,
    /// <summary>Destinations a rule now pins: never removed automatically.</summary>
    Pinned,
    /// <summary>Private-use networks a dependency now declares (<c>private_ranges</c>): answers there become admissible.</summary>
    PrivateRanges,
    /// <summary>An <c>ignore:</c> entry added, or its expiry moved later.</summary>
    Ignore,
    /// <summary>A setting that weakens a safety guard (<c>stale_after</c>, <c>max_removal_share</c>, <c>max_new_addresses</c>, broadest prefixes).</summary>
    Setting,
}

/// <summary>
/// One widening, as the base had it and as the working tree has it, at the line that changed it.
/// </summary>
/// <param name="Dependency">The dependency it concerns; <c>*</c> for a setting, or an ignore entry naming none.</param>
/// <param name="Subject">What widened: a port, a host, a setting's key, an ignore entry's description.</param>
/// <param name="Was">The base's value, as text for people ("" when there was none).</param>
/// <param name="Is">The working tree's value, as text for people.</param>
public sealed record Widening(WideningKind Kind, string? Allowlist, string Dependency, string Subject, string Was, string Is, SourceLocation Location)
{
    /// <summary>One line for the comment's list of changes.</summary>
    public string Describe() => Kind switch
    {
        WideningKind.Port => $"{Code(Allowlist)} opens port {Subject} for {Code(Dependency)}",
        WideningKind.Host => $"{Code(Dependency)} names host {Code(Subject)}",
        WideningKind.Track => $"{Code(Dependency)} tracks by {Code(Is)} (was {Code(Was)})",
        WideningKind.Pinned => $"{Code(Allowlist)} pins {Code(Subject)} for {Code(Dependency)}",
        WideningKind.PrivateRanges => $"{Code(Dependency)} declares private range {Code(Subject)}",
        WideningKind.Ignore => $"{Code("ignore:")} silences {Code(Subject)} until {Is}{(Was.Length == 0 ? "" : $" (was {Was})")}",
        _ => $"{Code("settings." + Subject)} is {Code(Is)} (was {Code(Was)})",
    };

    // Free text from a policy (an ignore entry's subject) must not end the code span it sits in.
    private static string Code(string? text) => $"`{(text ?? "").Replace('`', '\'').ReplaceLineEndings(" ")}`";
}
