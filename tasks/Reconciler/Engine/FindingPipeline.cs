using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;
using Reconciler.Providers;

namespace Reconciler.Engine;

/// <summary>
/// From what a run observed to the findings it reports, in the order README "How Plan decides" tells: hands-off is
/// decided once, every rule diffs (none silences), what an ignore names is silenced once, a dependency speaks with one
/// voice, large removals are held, what a pull request removes is not also over-broad, and the result is put in its
/// canonical form. Every addition passes the one admission gate before anything silences it (so an ignore can name
/// addition-refused), and floods of DNS-derived additions are held after one voice (a CDN-fronted dependency proposes
/// none anyway) (README "Trust boundary"). Every removal passes the one removal gate (the proof) before the threshold
/// counts it, whichever rule proposed it, and each removal's message gets the sentence of its fate last
/// (README "What Reconciler will never do"). Pure.
/// </summary>
public static class FindingPipeline
{
    /// <param name="memory">The memory between runs, already holding this run's observations.</param>
    public static IReadOnlyList<Finding> Run(PolicySet policies, Observed observed, DriftMemory memory, ProviderKnowledge providers, DateTimeOffset now)
    {
        var handsOff = HandsOff.Decide(policies, observed.Dns, now);
        IEnumerable<Finding> found =
        [
            .. DriftEngine.Diff(policies, observed.Dns, memory, now, handsOff, providers),
            .. UserAgentRules.Check(policies),
            .. DnsCacheRules.Check(policies, observed.Dns, memory, now),
            .. observed.Others.Findings,
            .. ProviderDataAge.Check(policies, providers, now),
        ];
        var admitted = AdditionRefusals.Apply(policies, found);
        var spoken = OneVoice.Apply(handsOff.Silence(admitted));
        var unflooded = AdditionFloods.Hold(policies, spoken);
        // After the additions are final: what the plan adds in a removal's place is not taken away.
        var proven = RemovalGate.Apply(policies, observed.Dns, memory, now, unflooded);
        var judged = RemovedNotOverBroad.Apply(policies, RemovalSafety.Judge(policies, proven));
        return CanonicalFindings.Of(RemovalSentences.Write(judged), policies);
    }
}
