using Reconciler.Diagnostics;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;

namespace Reconciler.Review;

/// <summary>An address or domain a pull request adds to or removes from what an allowlist admits for a dependency.</summary>
/// <param name="Location">Where it is written (in the new policies for an addition; for a removal, the rule that remains, or the old line).</param>
public sealed record AdmissionChange(string Allowlist, string Dependency, string Subject, bool Added, bool IsDomain, SourceLocation Location);

/// <summary>What a pull request changes in what the allowlists admit, the rules it writes or rewrites, and what else it widens.</summary>
public sealed record PolicyChanges(IReadOnlyList<AdmissionChange> Admissions, IReadOnlyList<(Allowlist Allowlist, AllowlistRule Rule)> TouchedRules)
{
    /// <summary>Ports, hosts, track, pins, private ranges, ignore entries and safety settings that widen (<see cref="PolicyWidenings"/>).</summary>
    public IReadOnlyList<Widening> Widenings { get; init; } = [];

    /// <summary>The dependencies to observe: those whose rules changed, and those that name a new host (it is resolved through the gate).</summary>
    public IReadOnlySet<string> Dependencies => Admissions.Select(a => a.Dependency)
        .Concat(TouchedRules.Select(t => t.Rule.Dependency))
        .Concat(Widenings.Where(w => w.Kind == WideningKind.Host).Select(w => w.Dependency))
        .ToHashSet(StringComparer.Ordinal);

    public bool IsEmpty => Admissions.Count == 0 && TouchedRules.Count == 0 && Widenings.Count == 0;

    /// <summary>Compares per allowlist and dependency, so that moving a rule, reordering or reformatting changes nothing. Pure.</summary>
    public static PolicyChanges Compare(PolicySet? before, PolicySet after)
    {
        var admissions = new List<AdmissionChange>();
        var touched = new List<(Allowlist, AllowlistRule)>();
        var old = (before?.Allowlists ?? []).SelectMany(a => a.Rules.Select(r => (Allowlist: a, Rule: r))).ToLookup(x => (x.Allowlist.Name, x.Rule.Dependency));
        var now = after.Allowlists.SelectMany(a => a.Rules.Select(r => (Allowlist: a, Rule: r))).ToLookup(x => (x.Allowlist.Name, x.Rule.Dependency));

        foreach (var key in old.Select(g => g.Key).Union(now.Select(g => g.Key)).OrderBy(k => k.Name, StringComparer.Ordinal).ThenBy(k => k.Dependency, StringComparer.Ordinal))
        {
            var was = old[key].ToList();
            var @is = now[key].ToList();
            var wasAdmitted = Admitted(was);
            var isAdmitted = Admitted(@is);
            // A removal is shown where the dependency's remaining rule is, or where the allowlist is now, or on its old line.
            var anchor = @is.FirstOrDefault().Rule?.Location ?? after.FindAllowlist(key.Name)?.Location;
            foreach (var (subject, (isDomain, location)) in isAdmitted.Where(a => !wasAdmitted.ContainsKey(a.Key)))
                admissions.Add(new AdmissionChange(key.Name, key.Dependency, subject, true, isDomain, location));
            foreach (var (subject, (isDomain, location)) in wasAdmitted.Where(a => !isAdmitted.ContainsKey(a.Key)))
                admissions.Add(new AdmissionChange(key.Name, key.Dependency, subject, false, isDomain, anchor ?? location));
            var oldShapes = was.Select(x => Shape(x.Rule)).ToHashSet(StringComparer.Ordinal);
            touched.AddRange(@is.Where(x => !oldShapes.Contains(Shape(x.Rule))).Select(x => (x.Allowlist, x.Rule)));
        }
        return new PolicyChanges(admissions, touched) { Widenings = PolicyWidenings.Compare(before, after) };
    }

    private static Dictionary<string, (bool IsDomain, SourceLocation Location)> Admitted(List<(Allowlist Allowlist, AllowlistRule Rule)> rules)
    {
        var admitted = new Dictionary<string, (bool, SourceLocation)>(StringComparer.Ordinal);
        foreach (var (_, rule) in rules)
        {
            foreach (var destination in rule.Admits)
                admitted.TryAdd(Networks.Format(destination.Value), (false, destination.Location));
            foreach (var domain in rule.Domains)
                admitted.TryAdd(domain.Value, (true, domain.Location));
        }
        return admitted;
    }

    /// <summary>What a rule says, without where it says it.</summary>
    private static string Shape(AllowlistRule rule) => string.Join('|',
        string.Join(',', rule.Ports.Order()),
        string.Join(',', rule.Destinations.Select(d => Networks.Format(d.Value)).Order(StringComparer.Ordinal)),
        rule.PrefixSet ?? "",
        string.Join(',', rule.Domains.Select(d => d.Value).Order(StringComparer.Ordinal)),
        rule.Reason ?? "",
        rule.Pinned);
}
