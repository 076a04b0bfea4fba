using System.Net;
using Reconciler.Findings;
using Reconciler.Memory;
using Reconciler.Observe;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Engine;

/// <summary>
/// The one authority over what a pull request may take away, whichever rule proposed it: every finding whose kind
/// removes (<see cref="FindingKindFacts"/>) and that is proposed for a pull request must have what it takes away proven
/// unused by <see cref="RemovalProof"/>, with every declared host's sightings (<see cref="DeclaredSightings"/>), for the
/// dependency of its rule, or, for a prefix set, for every dependency whose rule admits the set (README "What
/// Reconciler will never do", "Hosts carry memory", "Rotating pools"). What stays admitted for it after the plan (the
/// dependency's other destinations, the additions the same plan proposes) is not taken away and needs no proof.
/// A removal the proof does not carry stays in the report with no action, marked <see cref="RemovalKept.Unproven"/>
/// and with the proof's evidence: a rule proposed it, and a person should see that it was refused, not lose it.
/// Rules still judge the proof themselves for what their messages say; this gate is what a pull request obeys. Pure.
/// </summary>
public static class RemovalGate
{
    public static IReadOnlyList<Finding> Apply(PolicySet policies, ObservationSet observations, DriftMemory memory, DateTimeOffset now, IReadOnlyList<Finding> findings)
    {
        var proposed = findings.Where(f => f.ProposesRemoval()).ToList();
        if (proposed.Count == 0)
            return findings;
        var byHost = observations.Observations.ToLookup(o => o.Host.ToLowerInvariant());
        DeclaredSightings? declared = null;
        var proofs = new Dictionary<string, RemovalProof>(StringComparer.Ordinal);
        RemovalProof ProofOf(Dependency dependency)
        {
            if (!proofs.TryGetValue(dependency.Name, out var proof))
                proofs[dependency.Name] = proof = RemovalProof.For(dependency, byHost, memory, policies.Settings.StaleAfter, now, declared ??= DeclaredSightings.Of(policies, byHost, memory));
            return proof;
        }
        var plan = new PlannedEdits(findings);
        return [.. findings.Select(f => !f.ProposesRemoval() ? f
            : Unproven(policies, plan, f, ProofOf, out var provenFor) is { } why ? Refused(f, why)
            : f.PrefixSet is { } set && f.Allowlist is null ? f with { Evidence = [.. f.Evidence, new Evidence(ProvenFor, ProvenForDetail(set, provenFor))] }
            : f)];
    }

    /// <summary>
    /// The evidence a proven prefix-set removal carries: which dependencies its proof covered. A shard sees only its own
    /// dependencies, so the merged report must show that the proofs of its shards together cover every user of the set
    /// (<see cref="Recheck"/>).
    /// </summary>
    public const string ProvenFor = "removal proven for";

    private static string ProvenForDetail(string set, IReadOnlyList<string> users) =>
        users.Count == 0 ? $"no dependency: no rule of these policies admits prefix set {set}" : string.Join(", ", users);

    private static Finding Refused(Finding f, string why) =>
        f with { Action = FindingAction.None, Kept = RemovalKept.Unproven, Evidence = [.. f.Evidence, new Evidence("removal proof", why)] };

    /// <summary>
    /// The gate again over a report read back (the merged report of shards), where no observation is left to prove
    /// with: a prefix-set removal stays proposed only while its set still follows a provider, no shard kept the same
    /// removal, and the proofs the shards carried (<see cref="ProvenFor"/>) together cover every dependency whose rule
    /// admits the set in these, the whole estate's, policies. A shard with none of the set's users proves nothing for
    /// them (README "Large estates: shards"). An allowlist removal stays only while the report admits nothing inside
    /// it for anyone else (<see cref="ResolvedElsewhere"/>). Each refused removal's message is rewritten to say so.
    /// </summary>
    public static IReadOnlyList<Finding> Recheck(PolicySet policies, IReadOnlyList<Finding> findings)
    {
        static (string, string)? Key(Finding f) => f.PrefixSet is { } set && f.Allowlist is null && f.Kind.Facts().Effect == FindingEffect.Remove && Networks.TryParse(f.Subject, out var n, out _)
            ? (set, Networks.Format(n)) : null;
        var bySubject = findings.Where(f => Key(f) is not null).ToLookup(f => Key(f)!.Value);
        var additions = findings.Where(f => f.Kind.Facts().Effect == FindingEffect.Add && Networks.TryParse(f.Subject, out _, out _)).ToList();
        return [.. findings.Select(f => f.ProposesRemoval() && (f.PrefixSet is not null ? RecheckSet(policies, f, Key(f), bySubject) : ResolvedElsewhere(f, additions)) is { } why
            ? RemovalSentences.UnprovenAfterReport(Refused(f, why))
            : f)];
    }

    /// <summary>
    /// An address inside an allowlist removal that the report proposes (or asks) to admit for another dependency or
    /// allowlist: a declared host resolved into it lately. A shard proves a removal with its own hosts only, so a host
    /// that moved to a dependency of another shard is not among them (README "Hosts carry memory").
    /// </summary>
    private static string? ResolvedElsewhere(Finding removal, List<Finding> additions)
    {
        if (!Networks.TryParse(removal.Subject, out var destination, out _))
            return $"{removal.Subject} is not a destination";
        var inside = additions.FirstOrDefault(a => (a.Allowlist != removal.Allowlist || a.Dependency != removal.Dependency)
            && Networks.TryParse(a.Subject, out var added, out _) && Networks.Covers(destination, added));
        return inside is null ? null : $"the report also admits {inside.Subject} inside it for {inside.Dependency} ({inside.Kind.ToWire()}): a declared host resolves into it";
    }

    private static string? RecheckSet(PolicySet policies, Finding removal, (string Set, string Subject)? key, ILookup<(string, string), Finding> bySubject)
    {
        if (removal.Allowlist is not null)
            return $"it names both allowlist {removal.Allowlist} and prefix set {removal.PrefixSet}";
        if (removal.PrefixSet is not { } setName || key is not { } k)
            return $"{removal.Subject} is not a destination of a prefix set";
        if (policies.FindPrefixSet(setName) is not { } set)
            return $"prefix set {setName} is not declared";
        if (set.Provider is null)
            return $"prefix set {setName} follows no provider now: nothing is removed from a set kept by hand";
        var same = bySubject[k].ToList();
        // Held by a shard's threshold is still proven; anything else kept was seen in use or not proven unused.
        if (same.FirstOrDefault(f => f.Action != FindingAction.PullRequest && f.Kept != RemovalKept.Held) is { } kept)
            return $"the report also keeps it for {kept.Dependency} (a shard that saw it in use or could not prove it unused)";
        var proven = same.SelectMany(f => f.Evidence.Where(e => e.Source == ProvenFor)).SelectMany(e => e.Detail.Split(", ")).ToHashSet(StringComparer.Ordinal);
        var unproven = PrefixSetDrift.UsersOf(policies, setName).Select(u => u.Rule.Dependency).Distinct(StringComparer.Ordinal).Where(d => !proven.Contains(d)).Order(StringComparer.Ordinal).ToList();
        return unproven.Count == 0 ? null
            : $"no proof in the report covers {string.Join(", ", unproven.Take(3))}{(unproven.Count > 3 ? $" and {unproven.Count - 3} more" : "")}, whose rule admits prefix set {setName}";
    }

    /// <summary>Why the removal is not proven, or null when it is; anything it cannot read refuses it.</summary>
    private static string? Unproven(PolicySet policies, PlannedEdits plan, Finding removal, Func<Dependency, RemovalProof> proofOf, out IReadOnlyList<string> provenFor)
    {
        provenFor = [];
        if (!Networks.TryParse(removal.Subject, out var destination, out _))
            return $"{removal.Subject} is not a destination";
        // The plan would take it from both: from the set every user shares, judged only for this dependency.
        if (removal.Allowlist is not null && removal.PrefixSet is not null)
            return $"it names both allowlist {removal.Allowlist} and prefix set {removal.PrefixSet}";
        List<Dependency> users;
        IEnumerable<IPNetwork> staying;
        if (removal.Allowlist is { } name)
        {
            if (policies.FindAllowlist(name) is not { } allowlist)
                return $"allowlist {name} is not declared";
            if (policies.FindDependency(removal.Dependency) is not { } dependency)
                return $"dependency {removal.Dependency} is not declared";
            users = [dependency];
            var rules = allowlist.Rules.Where(r => r.Dependency == dependency.Name).ToList();
            var sets = rules.Select(r => r.PrefixSet).OfType<string>().ToHashSet(StringComparer.Ordinal);
            // A pinned rule never loses a destination (Planner), so what it admits stays. What the plan adds to a set the rules
            // admit is not counted: that is the set's own pull request, which may be merged later or never.
            // What stays covers the removal only on a rule that opens every port the rules losing it open: a /24 kept
            // for port 80 does not keep 443 open to the address taken from the 443 rule.
            var losing = rules.Where(r => !r.Pinned && r.Destinations.Any(d => Networks.Format(d.Value) == Networks.Format(destination))).ToList();
            if (losing.Count == 0)
                losing = [.. rules.Where(r => !r.Pinned)];
            IReadOnlyList<int> PortsOf(AllowlistRule rule) => rule.Ports.Count > 0 ? rule.Ports : dependency.Ports;
            bool Keeps(AllowlistRule keeper) => losing.All(l => PortsOf(l).All(PortsOf(keeper).Contains));
            var receiver = AdditionReceiver.Of(rules);
            staying = [.. rules.Where(Keeps).SelectMany(r => r.Admits.Select(d => (r.Pinned, d.Value))).Where(x => x.Pinned || !plan.Removes(name, dependency.Name, x.Value) && !sets.Any(s => plan.RemovesFromSet(s, x.Value))).Select(x => x.Value),
                .. receiver is not null && Keeps(receiver) ? plan.AddedTo(name, dependency.Name) : []];
        }
        else if (removal.PrefixSet is { } setName)
        {
            if (policies.FindPrefixSet(setName) is not { } set)
                return $"prefix set {setName} is not declared";
            // A set without a provider is kept by hand: no feed's change is a reason to take from it.
            if (set.Provider is null)
                return $"prefix set {setName} follows no provider: nothing is removed from a set kept by hand";
            users = [];
            foreach (var (_, rule) in PrefixSetDrift.UsersOf(policies, setName))
            {
                if (policies.FindDependency(rule.Dependency) is not { } user)
                    return $"dependency {rule.Dependency}, whose rule admits prefix set {setName}, is not declared";
                if (rule.Pinned)
                    return $"the rule of {rule.Dependency} at {rule.Location} that admits prefix set {setName} is pinned";
                if (!users.Any(u => u.Name == user.Name))
                    users.Add(user);
            }
            staying = [.. set.Prefixes.Select(p => p.Value).Where(p => !plan.RemovesFromSet(setName, p)), .. plan.AddedToSet(setName)];
        }
        else
        {
            return "it names neither an allowlist nor a prefix set";
        }
        // Only what nothing staying covers is taken away: a prefix replaced whole by what stays loses nothing.
        var lost = PrefixReplacement.Remainder(destination, staying);
        foreach (var dependency in users)
        {
            var proof = proofOf(dependency);
            foreach (var block in lost)
            {
                if (!proof.ProvesUnused(block, out _, out var evidence))
                    return $"{dependency.Name}: {evidence}";
            }
        }
        provenFor = [.. users.Select(u => u.Name)];
        return null;
    }

    /// <summary>The destinations this plan's pull requests add and remove, by allowlist and dependency or by prefix set.</summary>
    private sealed class PlannedEdits
    {
        private readonly HashSet<(string Container, string Dependency, string Network)> _removed = [];
        private readonly ILookup<(string Container, string Dependency), IPNetwork> _added;

        public PlannedEdits(IReadOnlyList<Finding> findings)
        {
            foreach (var f in findings.Where(f => f.ProposesRemoval()))
            {
                if (Networks.TryParse(f.Subject, out var network, out _))
                    _removed.Add((Container(f), DependencyKey(f), Networks.Format(network)));
            }
            _added = findings.Where(f => f.ProposesAddition()).Select(f => (Finding: f, Parsed: Networks.TryParse(f.Subject, out var n, out _) ? (IPNetwork?)n : null))
                .Where(x => x.Parsed is not null).ToLookup(x => (Container(x.Finding), DependencyKey(x.Finding)), x => x.Parsed!.Value);
        }

        public bool Removes(string allowlist, string dependency, IPNetwork network) => _removed.Contains(("allowlist:" + allowlist, dependency, Networks.Format(network)));

        public bool RemovesFromSet(string set, IPNetwork network) => _removed.Contains(("prefix_set:" + set, "", Networks.Format(network)));

        public IEnumerable<IPNetwork> AddedTo(string allowlist, string dependency) => _added[("allowlist:" + allowlist, dependency)];

        public IEnumerable<IPNetwork> AddedToSet(string set) => _added[("prefix_set:" + set, "")];

        private static string Container(Finding f) => f.Allowlist is { } allowlist ? "allowlist:" + allowlist : "prefix_set:" + f.PrefixSet;

        // A prefix set's edits are the set's, whichever dependency the finding names.
        private static string DependencyKey(Finding f) => f.Allowlist is null ? "" : f.Dependency;
    }
}
