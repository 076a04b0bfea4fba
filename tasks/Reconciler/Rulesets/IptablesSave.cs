using System.Text;
using Reconciler.Diagnostics;
using Reconciler.Policies.Validation;

namespace Reconciler.Rulesets;

/// <summary>
/// Reads iptables-save and ip6tables-save output, and iptables-restore input written by hand (<c>-N</c>, <c>-I</c>,
/// <c>-P</c>, service names, old-style <c>-d ! X</c>). Only the filter table decides what leaves a host; other
/// tables are skipped with a note. Pure: text in, records out; a line it cannot read is a problem at its place.
/// </summary>
public static class IptablesSave
{
    private static readonly HashSet<string> BuiltIn = new(StringComparer.Ordinal) { "INPUT", "FORWARD", "OUTPUT" };

    public static IptablesDump Parse(string file, string text)
    {
        var chains = new Dictionary<string, IptablesChain>(StringComparer.Ordinal);
        var problems = new List<DumpProblem>();
        var notes = new List<string>();
        string? table = null;
        var skippedTables = new SortedSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var at = new SourceLocation(file, i + 1, 1);
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                continue;
            if (trimmed.StartsWith('*'))
            {
                table = trimmed[1..].Trim();
                continue;
            }
            if (trimmed == "COMMIT")
            {
                table = null;
                continue;
            }
            if (table is null)
            {
                problems.Add(new DumpProblem(at, "a rule or chain outside a table: a table starts with *filter and ends with COMMIT"));
                continue;
            }
            if (table != "filter")
            {
                skippedTables.Add(table);
                continue;
            }
            if (!Tokens.TrySplit(trimmed, out var tokens, out var column, out var tokenError))
            {
                problems.Add(new DumpProblem(at with { Column = column + line.Length - trimmed.Length }, tokenError));
                continue;
            }
            if (trimmed.StartsWith(':'))
            {
                var name = tokens[0][1..];
                var policy = tokens.Count > 1 && tokens[1] != "-" ? tokens[1] : null;
                chains[name] = new IptablesChain(name, policy, at, chains.GetValueOrDefault(name)?.Rules ?? []);
                continue;
            }
            switch (tokens[0])
            {
                case "-N" or "--new-chain" when tokens.Count == 2:
                    chains.TryAdd(tokens[1], new IptablesChain(tokens[1], null, at, []));
                    continue;
                case "-P" or "--policy" when tokens.Count == 3:
                    chains[tokens[1]] = new IptablesChain(tokens[1], tokens[2], at, chains.GetValueOrDefault(tokens[1])?.Rules ?? []);
                    continue;
                case "-A" or "--append" or "-I" or "--insert" when tokens.Count >= 2:
                    var chain = tokens[1];
                    var insertAt = -1;
                    var from = 2;
                    if (tokens[0] is "-I" or "--insert")
                    {
                        insertAt = 0;
                        if (tokens.Count > 2 && int.TryParse(tokens[2], out var position) && position >= 1)
                        {
                            insertAt = position - 1;
                            from = 3;
                        }
                    }
                    if (!chains.TryGetValue(chain, out var target))
                        chains[chain] = target = new IptablesChain(chain, BuiltIn.Contains(chain) ? "ACCEPT" : null, at, []);
                    var rule = RuleReader.Read(at, chain, tokens, from, trimmed, line.Length - trimmed.Length, problems);
                    if (rule is not null)
                    {
                        if (insertAt < 0 || insertAt > target.Rules.Count)
                            target.Rules.Add(rule);
                        else
                            target.Rules.Insert(insertAt, rule);
                    }
                    continue;
                default:
                    problems.Add(new DumpProblem(at, $"'{Cut(trimmed)}' is not an iptables-save line (:CHAIN POLICY, -A CHAIN …, COMMIT)"));
                    continue;
            }
        }
        if (table is not null)
            notes.Add($"{file}: table {table} has no COMMIT at the end; read as if it had");
        if (skippedTables.Count > 0)
            notes.Add($"{file}: tables {string.Join(", ", skippedTables)} skipped: only the filter table admits or refuses outbound traffic");
        return new IptablesDump(file, chains, problems, notes);
    }

    internal static string Cut(string text) => text.Length <= 60 ? text : text[..57] + "…";
}

/// <summary>Splits a line as iptables-restore does: blanks separate words, double quotes hold a word with blanks, \" a quote.</summary>
internal static class Tokens
{
    public static bool TrySplit(string line, out List<string> tokens, out int column, out string error)
    {
        tokens = [];
        error = "";
        column = 1;
        var current = new StringBuilder();
        var inWord = false;
        var quoteAt = -1;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoteAt >= 0)
            {
                if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                    current.Append(line[++i]);
                else if (c == '"')
                    quoteAt = -1;
                else
                    current.Append(c);
            }
            else if (c == '"')
            {
                quoteAt = i;
                inWord = true;
            }
            else if (c is ' ' or '\t')
            {
                if (inWord)
                    tokens.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (quoteAt >= 0)
        {
            column = quoteAt + 1;
            error = "a quote that is never closed";
            return false;
        }
        if (inWord)
            tokens.Add(current.ToString());
        return tokens.Count > 0;
    }
}
