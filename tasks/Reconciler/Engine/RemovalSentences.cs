using Reconciler.Findings;

namespace Reconciler.Engine;

/// <summary>
/// How a removal's message ends says what became of it, and it is written here only, once every stage has judged it:
/// rules write what they found; a removal still proposed for a pull request ends "The plan removes it.", one the
/// threshold held or the proof refused (<see cref="Finding.Kept"/>) says so instead. A removal a rule kept itself (a
/// prefix still in use) already says why, and is left as it is. Pure.
/// </summary>
public static class RemovalSentences
{
    /// <summary>How a removal still in the plan ends its message.</summary>
    public const string Removes = " The plan removes it.";

    /// <summary>How a removal the threshold held back ends its message.</summary>
    public const string Held = " Held back from the plan by the safety threshold (see the removal-held issue).";

    /// <summary>How a removal the proof refused ends its message.</summary>
    public const string Unproven = " Not removed: it is not proven unused (see the removal proof in the evidence; README \"What Reconciler will never do\").";

    /// <summary>The last step of the pipeline: every removal's message gets the sentence of its fate.</summary>
    public static IReadOnlyList<Finding> Write(IReadOnlyList<Finding> findings) =>
        [.. findings.Select(f => Sentence(f) is { } sentence ? f with { Message = f.Message + sentence } : f)];

    /// <summary>
    /// A removal of a report read back from disk (the merged report of shards) that the threshold now holds: its message
    /// was written with <see cref="Removes"/>, which gives way to <see cref="Held"/>. With <see cref="UnprovenAfterReport"/>, the only places a sentence is read back.
    /// </summary>
    public static Finding HeldAfterReport(Finding removal) => InsteadOfRemoves(removal, Held);

    /// <summary>A removal of a report read back that the removal gate now refuses (<see cref="RemovalGate.Recheck"/>): <see cref="Removes"/> gives way to <see cref="Unproven"/>.</summary>
    public static Finding UnprovenAfterReport(Finding removal) => InsteadOfRemoves(removal, Unproven);

    private static Finding InsteadOfRemoves(Finding removal, string sentence) => removal with
    {
        Message = (removal.Message.EndsWith(Removes, StringComparison.Ordinal) ? removal.Message[..^Removes.Length] : removal.Message) + sentence,
    };

    private static string? Sentence(Finding finding) =>
        finding.Kind.Facts().Effect != FindingEffect.Remove ? null
        : finding.Kept switch
        {
            RemovalKept.Held => Held,
            RemovalKept.Unproven => Unproven,
            _ => finding.Action == FindingAction.PullRequest ? Removes : null,
        };
}
