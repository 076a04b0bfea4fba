using System.Text.RegularExpressions;
using Reconciler.Findings;
using Reconciler.Policies.Model;

namespace Reconciler.Engine;

/// <summary>
/// Judges a declared user agent the way a WAF would, with no network: empty, a runtime default (the list is data,
/// <c>risky-user-agents.tsv</c>), or missing a product token and a contact. One finding per dependency that calls
/// with the identity, since that is where it will be refused.
/// </summary>
public static partial class UserAgentRules
{
    private static readonly Lazy<IReadOnlyList<(string Prefix, string What, string Runtime)>> Defaults = new(() =>
    {
        using var stream = typeof(UserAgentRules).Assembly.GetManifestResourceStream("Reconciler.Engine.risky-user-agents.tsv")!;
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')).Select(f => (f[0], f[1], f[2]))];
    });

    /// <summary>
    /// The runtime a user agent gives away (<c>jvm</c> for <c>Java/1.8</c> or <c>okhttp/4</c>), from the list's third
    /// column: its token may stand anywhere, as in <c>sync/2.4 Java/17</c>. Null when it names none.
    /// </summary>
    public static string? RuntimeOf(string? agent)
    {
        if (string.IsNullOrEmpty(agent))
            return null;
        foreach (var (prefix, _, runtime) in Defaults.Value)
        {
            for (var at = agent.IndexOf(prefix, StringComparison.OrdinalIgnoreCase); at >= 0; at = agent.IndexOf(prefix, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                if (at == 0 || agent[at - 1] is ' ' or '(' or ';' or ',')
                    return runtime;
            }
        }
        return null;
    }

    public const string Example = "payments-sync/2.4 (+https://example.org/contact; ops@example.org)";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*/[0-9][^ ]*")]
    private static partial Regex ProductToken();

    [GeneratedRegex(@"https?://|@|\+[a-z]")]
    private static partial Regex Contact();

    public static IEnumerable<Finding> Check(PolicySet policies)
    {
        foreach (var identity in policies.Identities)
        {
            if (identity.UserAgent is not { } agent || Judge(agent) is not { } verdict)
                continue;
            foreach (var dependency in policies.Dependencies.Where(d => d.Identity == identity.Name))
            {
                yield return new Finding
                {
                    Kind = FindingKind.UserAgentRisk,
                    Severity = verdict.Severity,
                    Dependency = dependency.Name,
                    Subject = agent.Length == 0 ? "(empty)" : agent,
                    Message = $"identity {identity.Name} {verdict.Why}; WAFs in front of partners (Cloudflare's error 1020, Akamai, AWS WAF) refuse such clients. Declare one that names the product and a contact, e.g. \"{Example}\".",
                    Action = FindingAction.Issue,
                    Location = identity.Location,
                };
            }
        }
    }

    public static (Severity Severity, string Why)? Judge(string agent)
    {
        if (string.IsNullOrWhiteSpace(agent))
            return (Severity.High, "sends an empty user agent");
        if (Defaults.Value.FirstOrDefault(d => agent.StartsWith(d.Prefix, StringComparison.OrdinalIgnoreCase)) is { Prefix: not null } known)
            return (Severity.High, $"sends \"{agent}\", {known.What}");
        if (!ProductToken().IsMatch(agent))
            return (Severity.Medium, $"sends \"{agent}\", which does not start with a product token (name/version)");
        if (!Contact().IsMatch(agent))
            return (Severity.Low, $"sends \"{agent}\", which gives no contact (a URL or an address) for the partner to reach us");
        return null;
    }
}
