using Reconciler.Diagnostics;

namespace Reconciler.Rulesets;

/// <summary>One <c>acl NAME TYPE [flags] VALUE…</c> line; a value in quotes that names a file is in <see cref="Files"/>.</summary>
public sealed record SquidAcl(string Name, string Type, IReadOnlyList<string> Values, IReadOnlyList<string> Files, SourceLocation Location);

/// <summary>One <c>http_access allow|deny [!]ACL…</c> line: it applies when every ACL matches (a <c>!</c> inverts one).</summary>
public sealed record SquidAccess(bool Allow, IReadOnlyList<(string Acl, bool Negated)> Acls, SourceLocation Location);

public sealed record SquidConfigDump(string File, IReadOnlyDictionary<string, List<SquidAcl>> Acls, IReadOnlyList<SquidAccess> Access, IReadOnlyList<DumpProblem> Problems, IReadOnlyList<string> Notes);

/// <summary>
/// Reads a squid configuration's ACLs and <c>http_access</c> lines (other directives are skipped). Pure. ACLs of the
/// same name add up, as in squid; values squid reads from a file (<c>"/etc/squid/list"</c>) are named, not read.
/// </summary>
public static class SquidConfig
{
    private static readonly HashSet<string> Directives = new(StringComparer.Ordinal)
    {
        "acl", "http_access", "http_port", "https_port", "cache_peer", "never_direct", "always_direct", "visible_hostname",
        "cache_dir", "coredump_dir", "refresh_pattern", "access_log", "cache_log", "dns_nameservers", "ssl_bump", "sslcrtd_program",
        "cache", "forwarded_for", "via", "request_header_access", "reply_header_access", "pid_filename", "shutdown_lifetime",
        "include", "auth_param", "external_acl_type", "logformat", "cache_mem", "maximum_object_size", "workers", "http_reply_access",
    };

    public static bool IsDirective(string word) => Directives.Contains(word);

    public static SquidConfigDump Parse(string file, string text)
    {
        var acls = new Dictionary<string, List<SquidAcl>>(StringComparer.Ordinal);
        var access = new List<SquidAccess>();
        var problems = new List<DumpProblem>();
        var notes = new List<string>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            var content = hash >= 0 ? line[..hash] : line;
            var at = new SourceLocation(file, i + 1, 1);
            var fields = content.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
                continue;
            switch (fields[0])
            {
                case "acl":
                    if (fields.Length < 3)
                    {
                        problems.Add(new DumpProblem(at, "acl needs a name, a type and values: acl NAME TYPE VALUE…"));
                        break;
                    }
                    var values = new List<string>();
                    var files = new List<string>();
                    foreach (var value in fields.Skip(3))
                    {
                        if (value.StartsWith('-') && values.Count == 0 && files.Count == 0)
                            continue; // -n, -i: flags, before the values
                        if (value.Length > 1 && value.StartsWith('"') && value.EndsWith('"'))
                            files.Add(value[1..^1]);
                        else
                            values.Add(value);
                    }
                    if (!acls.TryGetValue(fields[1], out var list))
                        acls[fields[1]] = list = [];
                    list.Add(new SquidAcl(fields[1], fields[2], values, files, at));
                    break;
                case "http_access":
                    if (fields.Length < 2 || fields[1] is not ("allow" or "deny"))
                    {
                        problems.Add(new DumpProblem(at with { Column = line.IndexOf("http_access", StringComparison.Ordinal) + 12 }, "http_access needs allow or deny"));
                        break;
                    }
                    var names = new List<(string, bool)>();
                    foreach (var name in fields.Skip(2))
                    {
                        var negated = name.StartsWith('!');
                        names.Add((negated ? name[1..] : name, negated));
                    }
                    access.Add(new SquidAccess(fields[1] == "allow", names, at));
                    break;
                case "include":
                    notes.Add($"{at}: include {string.Join(' ', fields.Skip(1))} is not followed; give that file to --from as well");
                    break;
            }
        }
        return new SquidConfigDump(file, acls, access, problems, notes);
    }
}
