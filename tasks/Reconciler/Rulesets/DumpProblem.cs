using Reconciler.Diagnostics;

namespace Reconciler.Rulesets;

/// <summary>A line of a dump that could not be read, printed as <c>file:line:col: message</c>.</summary>
public sealed record DumpProblem(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Diagnostics.ControlCharacters.Escape(Message)}";
}

/// <summary>What a file holds, told by its content (README "Import"): a file's name says nothing reliable.</summary>
public enum DumpKind
{
    Unknown,
    Iptables,
    Ipset,
    Squid,
    /// <summary>A file a squid ACL reads (<c>acl NAME dstdomain "/etc/squid/list"</c>): one value a line.</summary>
    SquidList,
    /// <summary><c>nft list ruleset</c> output.</summary>
    Nft,
}

public static class DumpKinds
{
    /// <summary>The first line that only one kind writes decides; comments and blank lines say nothing.</summary>
    public static DumpKind Recognize(string text)
    {
        var kind = ByFirstLine(text);
        if (kind == DumpKind.Unknown && text.Split('\n').Select(l => StripComment(l).Trim()).Where(l => l.Length > 0).ToList() is { Count: > 0 } values
            && values.All(v => !v.Contains(' ', StringComparison.Ordinal) && !v.Contains('\t', StringComparison.Ordinal) && v.Any(c => c is '.' or ':')))
            return DumpKind.SquidList;
        return kind;
    }

    /// <summary>Why a file of no known kind is refused, in words that help.</summary>
    public static string Unknown(string text) =>
        text.Contains("is incompatible, use 'nft' tool", StringComparison.Ordinal)
            ? "iptables-save could not show these tables (nft made them): dump them with `nft list ruleset` and give that"
            : "neither iptables-save, ip6tables-save, ipset save, nft list ruleset, squid configuration nor a list a squid ACL reads";

    internal static string StripComment(string line) => line.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0 ? line[..hash] : line;

    private static DumpKind ByFirstLine(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            if (line.StartsWith('*') || line.StartsWith(':') || line.StartsWith("-A ", StringComparison.Ordinal) || line.StartsWith("-N ", StringComparison.Ordinal) || line == "COMMIT")
                return DumpKind.Iptables;
            if (line.StartsWith("create ", StringComparison.Ordinal) || line.StartsWith("add ", StringComparison.Ordinal))
                return DumpKind.Ipset;
            var word = line.Split([' ', '\t'], 2)[0];
            if (word == "table" && line.EndsWith('{'))
                return DumpKind.Nft;
            if (SquidConfig.IsDirective(word))
                return DumpKind.Squid;
        }
        return DumpKind.Unknown;
    }
}
