using Reconciler.Findings;
using Reconciler.Review;

namespace Reconciler.Tests.Review;

/// <summary>
/// Every widening a policy change can make, reviewed against a base that has something of each kind: the finding,
/// its severity and the exact place of the changed text in the working tree. Each kind has a row that narrows the
/// same thing, which must give no widening finding, so the table cannot pass by flagging every change.
/// </summary>
public sealed class ReviewWideningTests
{
    private const string Base = """
        # yaml-language-server: $schema=policy.schema.json
        dependencies:
          - name: ledger
            hosts: [api.ledger.test, www.ledger.test]
            ports: [443, 8443]
            private_ranges: [10.20.0.0/16]
          - name: billing
            hosts: [api.billing.test]
            ports: [443]
            track: static
          - name: files
            hosts: [files.partner.test]
            track: domain

        allowlists:
          - name: app-egress
            kind: iptables
            rules:
              - dependency: ledger
                destinations: [192.0.2.10, 192.0.2.11]
                reason: T100
                pinned: true
              - dependency: billing
                destinations: [198.51.100.7]
                reason: T101
          - name: squid-main
            kind: proxy
            rules:
              - dependency: files
                domains: [.files.partner.test, .cdn.partner.test]
                reason: T102

        ignore:
          - dependency: ledger
            kind: user-agent-risk
            reason: vendor client, fix promised in T201600
            expires: 2027-01-31

        settings:
          stale_after: 14d
          max_removal_share: 30%
          max_new_addresses: 32
          broadest_ipv4_prefix: 16
          broadest_ipv6_prefix: 32

        """;

    /// <summary>A change, the one widening finding it must give (kind, severity; none for a control), and the text the finding's place points at.</summary>
    public sealed record Row(string Name, string From, string To, string? Kind, Severity Severity, string? PointsAt)
    {
        public override string ToString() => Name;
    }

    private static Row Widens(string name, string from, string to, string kind, Severity severity, string pointsAt) => new(name, from, to, kind, severity, pointsAt);

    private static Row NoWidening(string name, string from, string to) => new(name, from, to, null, Severity.Low, null);

    public static TheoryData<Row> Rows =>
    [
        // Ports: a sensitive one is high, another medium; on the dependency's list or a rule's own.
        Widens("ssh on the dependency", "ports: [443, 8443]", "ports: [443, 8443, 22]", "policy-widened", Severity.High, "22]"),
        Widens("postgresql on a rule", "        reason: T101\n", "        reason: T101\n        ports: [5432]\n", "policy-widened", Severity.High, "5432]"),
        Widens("another port", "ports: [443, 8443]", "ports: [443, 8443, 9443]", "policy-widened", Severity.Medium, "9443]"),
        NoWidening("a port closed", "ports: [443, 8443]", "ports: [443]"),

        // Proxy domains: a public suffix, a private-section one, one with a suffix below it; a name none of the hosts has.
        Widens("proxy domain .com", ".cdn.partner.test]", ".cdn.partner.test, .com]", "over-broad-rule", Severity.High, ".com]"),
        Widens("proxy domain .co.uk", ".cdn.partner.test]", ".cdn.partner.test, .co.uk]", "over-broad-rule", Severity.High, ".co.uk]"),
        Widens("proxy domain .github.io", ".cdn.partner.test]", ".cdn.partner.test, .github.io]", "over-broad-rule", Severity.High, ".github.io]"),
        Widens("proxy domain .amazonaws.com", ".cdn.partner.test]", ".cdn.partner.test, .amazonaws.com]", "over-broad-rule", Severity.High, ".amazonaws.com]"),
        Widens("proxy domain for no host", ".cdn.partner.test]", ".cdn.partner.test, .elsewhere.example]", "policy-widened", Severity.Medium, ".elsewhere.example]"),
        NoWidening("a proxy domain made narrower", "[.files.partner.test, .cdn.partner.test]", "[files.partner.test, .cdn.partner.test]"),
        NoWidening("a proxy domain for the dependency's host", ".cdn.partner.test]", ".cdn.partner.test, .partner.test]"),

        // Hosts, resolved through the admission gate.
        Widens("host at the metadata address", "hosts: [api.ledger.test, www.ledger.test]", "hosts: [api.ledger.test, www.ledger.test, meta.ledger.test]", "policy-widened", Severity.High, "meta.ledger.test]"),
        Widens("host at loopback", "hosts: [api.ledger.test, www.ledger.test]", "hosts: [api.ledger.test, www.ledger.test, lo.ledger.test]", "policy-widened", Severity.High, "lo.ledger.test]"),
        Widens("host at a public address", "hosts: [api.ledger.test, www.ledger.test]", "hosts: [api.ledger.test, www.ledger.test, eu.ledger.test]", "policy-widened", Severity.Medium, "eu.ledger.test]"),
        NoWidening("a host dropped", "hosts: [api.ledger.test, www.ledger.test]", "hosts: [api.ledger.test]"),

        // Track: static < dns < provider | domain.
        Widens("track: domain", "hosts: [api.ledger.test, www.ledger.test]\n", "hosts: [api.ledger.test, www.ledger.test]\n    track: domain\n", "policy-widened", Severity.Medium, "domain\n"),
        Widens("track: static to dns", "    track: static\n", "    track: dns\n", "policy-widened", Severity.Medium, "dns\n"),
        NoWidening("track: domain to dns", "    track: domain\n", "    track: dns\n"),

        // Pins.
        Widens("a rule pinned", "        reason: T101\n", "        reason: T101\n        pinned: true\n", "policy-widened", Severity.Medium, "true\n"),
        NoWidening("a pin dropped", "        pinned: true\n", ""),

        // Private ranges (the gate's own exception).
        Widens("a private range declared", "private_ranges: [10.20.0.0/16]", "private_ranges: [10.20.0.0/16, 10.30.0.0/16]", "policy-widened", Severity.Medium, "10.30.0.0/16]"),
        NoWidening("a private range made narrower", "private_ranges: [10.20.0.0/16]", "private_ranges: [10.20.1.0/24]"),

        // Ignore entries: added, extended; high when blanket or more than a year away.
        Widens("an ignore entry extended to 2099", "expires: 2027-01-31", "expires: 2099-12-31", "policy-widened", Severity.High, "2099-12-31"),
        Widens("an ignore entry extended a little", "expires: 2027-01-31", "expires: 2027-03-31", "policy-widened", Severity.Medium, "2027-03-31"),
        Widens("a blanket ignore entry added", "\nsettings:", "  - kind: missing-ip\n    reason: quiet please\n    expires: 2027-01-31\n\nsettings:", "policy-widened", Severity.High, "kind: missing-ip"),
        NoWidening("an ignore entry shortened", "expires: 2027-01-31", "expires: 2026-12-31"),

        // Settings that weaken safety.
        Widens("stale_after 1h", "stale_after: 14d", "stale_after: 1h", "safety-weakened", Severity.High, "1h"),
        Widens("stale_after 7d", "stale_after: 14d", "stale_after: 7d", "safety-weakened", Severity.Medium, "7d"),
        Widens("max_removal_share 100%", "max_removal_share: 30%", "max_removal_share: 100%", "safety-weakened", Severity.High, "100%"),
        Widens("max_new_addresses 5000", "max_new_addresses: 32", "max_new_addresses: 5000", "safety-weakened", Severity.High, "5000"),
        Widens("broadest_ipv4_prefix 12", "broadest_ipv4_prefix: 16", "broadest_ipv4_prefix: 12", "safety-weakened", Severity.Medium, "12"),
        Widens("broadest_ipv6_prefix 8", "broadest_ipv6_prefix: 32", "broadest_ipv6_prefix: 8", "safety-weakened", Severity.High, "8"),
        NoWidening("settings made stricter", "stale_after: 14d\n  max_removal_share: 30%\n  max_new_addresses: 32\n  broadest_ipv4_prefix: 16", "stale_after: 30d\n  max_removal_share: 10%\n  max_new_addresses: 8\n  broadest_ipv4_prefix: 24"),

        // An added destination the gate refuses, whatever DNS says.
        Widens("the metadata address as a destination", "[198.51.100.7]", "[198.51.100.7, 169.254.169.254]", "policy-widened", Severity.High, "169.254.169.254]"),
        NoWidening("a public address as a destination", "[198.51.100.7]", "[198.51.100.7, 198.51.100.8]"),
    ];

    private static readonly string[] WideningKinds = ["policy-widened", "safety-weakened", "over-broad-rule"];

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Each_widening_is_a_finding_at_the_changed_line_and_each_narrowing_is_none(Row row)
    {
        using var world = new ReviewWorld(Base);
        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.11"];
        world.Dns["www.ledger.test"] = ["192.0.2.11"];
        world.Dns["meta.ledger.test"] = ["169.254.169.254"];
        world.Dns["lo.ledger.test"] = ["192.0.2.12", "127.0.0.1"];
        world.Dns["eu.ledger.test"] = ["192.0.2.13"];
        world.Edit(p => Replace(p, row.From, row.To));

        var (run, review) = await world.ReviewAsync();
        using var _ = run;

        var widenings = review.Findings.Where(f => WideningKinds.Contains(f.Kind.ToWire())).ToList();
        var comment = ReviewComment.Render(review, run.RepositoryPathOf);
        if (row.Kind is null)
        {
            Assert.Empty(widenings);
            Assert.Empty(review.Changes.Widenings);
            return;
        }
        var finding = Assert.Single(widenings);
        Assert.Equal((row.Kind, row.Severity), (finding.Kind.ToWire(), finding.Severity));
        Assert.Contains(row.Kind, comment, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing in the allowlists changes", comment, StringComparison.Ordinal);
        var at = finding.Location!;
        Assert.Equal(world.PolicyFile, Path.GetFullPath(at.File));
        var line = File.ReadAllLines(world.PolicyFile)[at.Line - 1] + "\n";
        Assert.StartsWith(row.PointsAt!, line[(at.Column - 1)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_cannot_loosen_its_own_review()
    {
        // The change widens the broadest prefix and adds a /12 at once, and declares the private range its new host
        // answers in: the base's settings and the base's gate still judge both.
        using var world = new ReviewWorld(Base);
        world.Dns["api.ledger.test"] = ["192.0.2.10", "192.0.2.11"];
        world.Dns["www.ledger.test"] = ["192.0.2.11"];
        world.Dns["int.ledger.test"] = ["10.30.0.5"];
        world.Edit(p => Replace(Replace(Replace(p,
            "broadest_ipv4_prefix: 16", "broadest_ipv4_prefix: 8"),
            "[198.51.100.7]", "[198.51.100.7, 198.48.0.0/12]"),
            "hosts: [api.ledger.test, www.ledger.test]\n    ports: [443, 8443]\n    private_ranges: [10.20.0.0/16]", "hosts: [api.ledger.test, www.ledger.test, int.ledger.test]\n    ports: [443, 8443]\n    private_ranges: [10.20.0.0/16, 10.30.0.0/16]"));

        var (run, review) = await world.ReviewAsync();
        using var _ = run;

        var found = review.Findings.Select(f => $"{f.Kind.ToWire()} {f.Severity.ToWire()} {f.Subject}").Order(StringComparer.Ordinal).ToList();
        Assert.Contains("over-broad-rule medium 198.48.0.0/12", found);
        Assert.Contains("safety-weakened medium settings.broadest_ipv4_prefix", found);
        Assert.Contains("policy-widened medium 10.30.0.0/16", found);
        Assert.Contains("policy-widened high int.ledger.test", found);
    }

    private static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        return text.Replace(from, to, StringComparison.Ordinal);
    }
}
