using Reconciler.Policies.Model;

namespace Reconciler.Findings;

/// <summary>
/// Findings in the one form everything published is made from (report.json, report.md, SARIF, pull requests, issues):
/// locations relative to the repository's root, whatever folder the run's checkout is in, and evidence in a canonical
/// order, so that a DNS pool answering in another order, or a checkout in another folder, is no change to publish.
/// </summary>
public static class CanonicalFindings
{
    public static IReadOnlyList<Finding> Of(IEnumerable<Finding> findings, PolicySet policies)
    {
        // Longest first: one display path may be the start of another.
        var paths = policies.Sources.Keys.Select(d => (Display: d, Repository: policies.RepositoryPathOf(d)))
            .Where(p => p.Display != p.Repository).OrderByDescending(p => p.Display.Length).ToList();
        string Relative(string text)
        {
            foreach (var (display, repository) in paths)
                text = text.Replace(display, repository, StringComparison.Ordinal);
            return text;
        }
        return [.. findings.Select(f => f with
        {
            Subject = Relative(f.Subject),
            Message = Relative(f.Message),
            Location = f.Location is { } at ? at with { File = policies.RepositoryPathOf(at.File) } : null,
            Evidence = [.. f.Evidence.Select(e => e with { Detail = Relative(e.Detail) }).Order(EvidenceOrder.Instance)],
        })];
    }

    /// <summary>By source, then what it said, then when: the order a person reads a table in, and the same every run.</summary>
    private sealed class EvidenceOrder : IComparer<Evidence>
    {
        public static EvidenceOrder Instance { get; } = new();

        public int Compare(Evidence? x, Evidence? y)
        {
            if (x is null || y is null)
                return x is null ? y is null ? 0 : -1 : 1;
            var c = string.CompareOrdinal(x.Source, y.Source);
            if (c == 0)
                c = string.CompareOrdinal(x.Detail, y.Detail);
            if (c == 0)
                c = Nullable.Compare(x.ObservedAt, y.ObservedAt);
            return c != 0 ? c : Nullable.Compare(x.Ttl, y.Ttl);
        }
    }
}
