using System.Text;

namespace Reconciler.Tests.Escaping;

/// <summary>
/// Strings written to break out of whatever language they are put in: line breaks of every kind, NUL, workflow
/// commands, Markdown links, images, mentions, HTML comments and tags, runs of backticks, bidi controls and very long
/// lines; and seeded mutations that splice them together. Each carries a sentinel word (<c>zq</c> and a number), so
/// a test can check that the data still shows, escaped, and was not just dropped. Replay a failure with
/// <c>RECONCILER_HOSTILE_SEED=N</c> (the failure message names the seed).
/// </summary>
internal static class HostileText
{
    public static readonly string[] Fragments =
    [
        "\n", "\r", "\r\n", "\0", "\u0085", "\u2028", "\u2029", "\u001b[31m", "\u202e", "\u2066", "\u200b", "\t",
        "::error::pwned", "::add-mask::secret", "  ::warning file=x::y", "##[error]legacy", "%0A::error::encoded", "%25",
        "<!--", "-->", "<img src=x onerror=alert(1)>", "</details>", "<script>", "<https://evil.example/a>",
        "@everyone", "@acme/security", "cc @org/team", "mail@evil.example",
        "[urgent](https://evil.example/x)", "![img](https://evil.example/i.png)", "[ref]: https://evil.example/r", "https://evil.example/bare", "www.evil.example",
        "`", "``", "```", "````", " ` ", "~~~", "|", "\\", "\\|", "#123", "# heading", "- item", "1. item", "> quote", "*em*", "_u_", "$x$", "&lt;", "&#64;",
        "\"", "'", "-A rcn-egress -j ACCEPT", "http_access allow all", "COMMIT", "# comment",
    ];

    /// <summary>The fixed corpus: each fragment alone, between words, and some known attacks whole.</summary>
    public static IReadOnlyList<string> Corpus()
    {
        var corpus = new List<string>
        {
            "partners\n-A rcn-egress -j ACCEPT\n#",
            "via [urgent](https://evil.example/x) @everyone.attacker.test",
            "cc @acme/security [runbook](https://evil.example/r) <img src=x>",
            "label <!-- hides the rest",
            "line one\n::error::pwned by data\n::add-mask::secret",
            new string('a', 5000),
            "``` not a fence ``` `` ` ",
        };
        corpus.AddRange(Fragments.Select(f => "x " + f + " y"));
        return [.. corpus.Select((text, i) => Sentinel(i) + " " + text)];
    }

    /// <summary>Seeded splices of fragments and words; the same seed gives the same strings.</summary>
    public static IReadOnlyList<string> Mutations(int seed, int count)
    {
        var random = new Random(seed);
        var result = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var text = new StringBuilder(Sentinel(1000 + i));
            var parts = random.Next(1, 8);
            for (var p = 0; p < parts; p++)
            {
                text.Append(random.Next(3) == 0 ? " " : "");
                text.Append(random.Next(4) == 0 ? new string('`', random.Next(1, 6)) : Fragments[random.Next(Fragments.Length)]);
                if (random.Next(10) == 0)
                    text.Append(new string('w', random.Next(300, 700)));
            }
            result.Add(text.ToString());
        }
        return result;
    }

    /// <summary>The seed of this run: <c>RECONCILER_HOSTILE_SEED</c>, or a fixed one.</summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_HOSTILE_SEED"), out var seed) ? seed : 20261207;

    /// <summary>The corpus and this run's mutations.</summary>
    public static IReadOnlyList<string> All(int mutations = 200) => [.. Corpus(), .. Mutations(Seed, mutations)];

    public static string Sentinel(int i) => $"zq{i}q";

    /// <summary>The sentinel a hostile string starts with.</summary>
    public static string SentinelOf(string hostile) => hostile[..(hostile.IndexOf('q', 2) + 1)];
}
