using System.Text.RegularExpressions;
using System.Text;
using Reconciler.Files;
using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Yaml;

namespace Reconciler.Engine;

/// <summary>
/// What a cdn-fronted issue tells people to do: admit the dependency by name at a proxy (track: domain), with the
/// edit that gets there when the policies make one possible. Advice only: pinned rules and proxies are people's to move.
/// </summary>
public static partial class CdnAdvice
{
    public static string? For(PolicySet policies, Finding finding)
    {
        if (finding.DependencyIn(policies) is not { } dependency)
            return null;
        var advice = new StringBuilder();
        advice.AppendLine("**What to do:** admit it by name at a proxy and stop tracking its addresses:").AppendLine();
        var proxy = dependency.Identity is { } identity ? policies.FindIdentity(identity)?.Proxy : null;
        var byName = policies.Allowlists.Where(a => a.Facts().AdmitsDomains)
            .SelectMany(a => a.Rules.Where(r => r.Dependency == dependency.Name && r.Domains.Count > 0).Select(r => (Allowlist: a, Rule: r))).ToList();
        if (byName.Count > 0)
            advice.AppendLine($"1. {Markdown.Code(byName[0].Allowlist.Name)} already admits it by name ({string.Join(", ", byName[0].Rule.Domains.Select(d => Markdown.Code(d.Value)))}, {Where(policies, byName[0].Rule.Location)}).");
        else
            advice.AppendLine($"1. Add a rule to {(proxy is null ? "a proxy allowlist" : Markdown.Code(proxy))}: {Markdown.Code($"- dependency: {dependency.Name}")} with {Markdown.Code($"domains: [{string.Join(", ", dependency.Hosts.Select(h => h.Value))}]")}.");
        if (proxy is null)
            advice.AppendLine($"2. Send its client through that proxy (`proxy:` of its identity{(dependency.Identity is null ? "; it has no identity yet" : $" {Markdown.Code(dependency.Identity)}")}).");
        else
            advice.AppendLine($"2. Its identity {Markdown.Code(dependency.Identity ?? "")} already goes through {Markdown.Code(proxy)}.");
        var direct = policies.Allowlists.Where(a => a.Facts().AddressOnly)
            .SelectMany(a => a.Rules.Where(r => r.Dependency == dependency.Name).Select(r => $"{Markdown.Code(a.Name)} ({Where(policies, r.Location)}{(r.Pinned ? ", pinned" : "")})")).ToList();
        advice.AppendLine($"3. Set `track: domain`{(direct.Count == 0 ? "." : $", then remove its address rules from {string.Join(", ", direct)} once its traffic goes through the proxy.")}");
        if (TrackEdit(policies, dependency) is { } diff)
            advice.AppendLine().AppendLine("The edit of step 3's first half:").AppendLine().Append(Markdown.CodeBlock("diff", diff));
        return advice.ToString();
    }

    /// <summary>A rule's place as the repository names it (never the run's folder on the runner), as code the publisher links.</summary>
    private static string Where(PolicySet policies, Diagnostics.SourceLocation at) =>
        Markdown.Code($"{policies.RepositoryPathOf(at.File)}:{at.Line}:{at.Column}");

    [GeneratedRegex(@"^(?<indent>[ -]*)track:[ \t]*(?<value>[a-z]+)", RegexOptions.Multiline)]
    private static partial Regex TrackLine();

    /// <summary>The unified diff that sets <c>track: domain</c> on the dependency, or null when its entry cannot be found.</summary>
    private static string? TrackEdit(PolicySet policies, Dependency dependency)
    {
        var file = dependency.Location.File;
        if (policies.Sources.GetValueOrDefault(file) is not { } text)
            return null;
        var lines = new LineIndex(text);
        var start = lines.StartOf(dependency.Location.Line - 1);
        var next = policies.Dependencies.Where(d => d.Location.File == file && d.Location.Line > dependency.Location.Line).Select(d => lines.StartOf(d.Location.Line - 1)).DefaultIfEmpty(text.Length).Min();
        var track = TrackLine().Matches(text[start..next]).FirstOrDefault();
        Yaml.TextEdit edit;
        if (track is not null)
        {
            var value = track.Groups["value"];
            edit = new Yaml.TextEdit(start + value.Index, start + value.Index + value.Length, "domain");
        }
        else
        {
            var end = text.IndexOf('\n', start) is var n and >= 0 ? n : text.Length;
            edit = new Yaml.TextEdit(end, end, "\n" + new string(' ', dependency.Location.Column - 1) + "track: domain");
        }
        return UnifiedDiff.FromEdits(policies.RepositoryPathOf(file), text, lines, [edit]);
    }
}
