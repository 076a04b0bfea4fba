using Reconciler.Policies.Model;
using System.Text;

namespace Reconciler.Import;

/// <summary>A draft as a policy file: block style, one destination per line, every value that could be misread quoted.</summary>
public static class DraftYaml
{
    public static string Write(DraftFile draft)
    {
        var text = new StringBuilder();
        text.Append("# yaml-language-server: $schema=policy.schema.json\n");
        text.Append($"# Drafted by `dotnet cake --target=Import` from {draft.Source}. Review it before you rely on it (README \"Adopting Reconciler\").\n");
        text.Append("# Dependencies are track: static: their addresses came from a firewall, not from DNS, so no run proposes removing\n");
        text.Append("# them; switch one to track: dns (or provider) once its hosts are named and two weeks of dry runs agree.\n");
        if (draft.Notes.Count > 0)
        {
            text.Append("#\n# Not imported, or imported with a caveat:\n");
            foreach (var note in draft.Notes)
                text.Append("#   - ").Append(OneLine(note)).Append('\n');
        }
        if (draft.Dependencies.Count > 0)
        {
            text.Append("\ndependencies:\n");
            foreach (var dependency in draft.Dependencies)
            {
                foreach (var comment in dependency.Comments)
                    text.Append("  # ").Append(OneLine(comment)).Append('\n');
                text.Append($"  - name: {dependency.Name}\n");
                if (dependency.HostsAreGuesses)
                    text.Append("    # Import saw only addresses: name the host(s) this dependency calls.\n");
                text.Append($"    hosts: [{string.Join(", ", dependency.Hosts)}]\n");
                text.Append($"    ports: [{string.Join(", ", dependency.Ports)}]\n");
                text.Append($"    track: {dependency.Track}\n");
            }
        }
        var allowlists = draft.Allowlists.Where(a => a.Rules.Count > 0).ToList();
        if (allowlists.Count > 0)
        {
            text.Append("\nallowlists:\n");
            foreach (var allowlist in allowlists)
            {
                text.Append($"  - name: {allowlist.Name}\n");
                text.Append($"    kind: {allowlist.Kind.Facts().Name}\n");
                text.Append($"    hosts: [{allowlist.Host}]            # the machines that run {OneLine(allowlist.Source)}: name them\n");
                text.Append("    rules:\n");
                foreach (var rule in allowlist.Rules)
                {
                    text.Append($"      - dependency: {rule.Dependency}\n");
                    text.Append($"        ports: [{string.Join(", ", rule.Ports)}]\n");
                    foreach (var comment in rule.Comments)
                        text.Append("        # ").Append(OneLine(comment)).Append('\n');
                    if (rule.Destinations.Count > 0)
                    {
                        text.Append("        destinations:\n");
                        foreach (var destination in rule.Destinations)
                            text.Append($"          - \"{destination}\"\n");
                    }
                    if (rule.Domains.Count > 0)
                    {
                        text.Append("        domains:\n");
                        foreach (var domain in rule.Domains)
                            text.Append($"          - \"{domain}\"\n");
                    }
                    text.Append($"        reason: {Quote(rule.Reason)}\n");
                }
            }
        }
        return text.ToString();
    }

    private static string OneLine(string text) => Diagnostics.ControlCharacters.Escape(text.Replace('\n', ' ').Replace('\r', ' '));

    private static string Quote(string text) =>
        "\"" + OneLine(text).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
