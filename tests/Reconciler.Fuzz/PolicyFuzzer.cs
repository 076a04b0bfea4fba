using System.Diagnostics;
using System.Text;
using Reconciler.Diagnostics;
using Reconciler.Policies.Loading;

namespace Reconciler.Fuzz;

/// <summary>
/// Feeds mutated policy files through the reading gate's decoder and the parser. Two outcomes are acceptable:
/// valid, or invalid with every error at a <c>file:line:col</c> inside the file; an exception, an error
/// elsewhere, or a message carrying a raw control character is a defect, reported with the seed file, the
/// case number and the mutations, so that <c>new PolicyFuzzer(seed).Case(n)</c> replays it.
/// Seeds are the example policies and the invalid corpus, so mutations start from text that gets deep.
/// </summary>
public sealed class PolicyFuzzer
{
    private const string File = "fuzz.yaml";
    private readonly int _seed;
    private readonly IReadOnlyList<(string Name, byte[] Bytes)> _seeds;

    public PolicyFuzzer(int seed, IReadOnlyList<(string Name, byte[] Bytes)> seeds)
    {
        _seed = seed;
        _seeds = seeds;
    }

    public sealed record Failure(long Case, string Seed, string Mutations, string Problem);

    public sealed record Result(long Cases, long Valid, long Invalid, long RefusedByGate, IReadOnlyDictionary<string, long> ByMutation,
        IReadOnlyList<Failure> Failures, TimeSpan Elapsed, TimeSpan Slowest, long SlowestCase);

    /// <summary>The example policies and every file of the invalid corpus, found from the repository root.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> RepositorySeeds(string root)
    {
        var folders = new[] { Path.Combine(root, "policies"), Path.Combine(root, "tests", "Reconciler.Tests", "Corpus", "Invalid") };
        return [.. folders.SelectMany(f => Directory.EnumerateFiles(f, "*.yaml", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(root, f), System.IO.File.ReadAllBytes(f)))];
    }

    /// <summary>The folder holding Reconciler.sln, above <paramref name="start"/>.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Reconciler.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("no Reconciler.sln above " + start);
    }

    public Result Run(long cases, long first = 0)
    {
        var started = Stopwatch.GetTimestamp();
        long valid = 0, invalid = 0, gate = 0, slowestCase = -1;
        var slowest = TimeSpan.Zero;
        var failures = new List<Failure>();
        var byMutation = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var n = first; n < first + cases; n++)
        {
            var (seedName, bytes, mutations) = Case(n);
            foreach (var m in mutations.Split(',').Select(m => m.Split(' ')[0]).Distinct())
                byMutation[m] = byMutation.GetValueOrDefault(m) + 1;
            var before = Stopwatch.GetTimestamp();
            var outcome = Check(bytes, out var problem);
            var took = Stopwatch.GetElapsedTime(before);
            if (took > slowest)
                (slowest, slowestCase) = (took, n);
            switch (outcome)
            {
                case Outcome.Valid: valid++; break;
                case Outcome.Invalid: invalid++; break;
                case Outcome.RefusedByGate: gate++; break;
                default: failures.Add(new Failure(n, seedName, mutations, problem!)); break;
            }
        }
        return new Result(cases, valid, invalid, gate, byMutation, failures, Stopwatch.GetElapsedTime(started), slowest, slowestCase);
    }

    private enum Outcome { Valid, Invalid, RefusedByGate, Defect }

    private static Outcome Check(byte[] bytes, out string? problem)
    {
        problem = null;
        try
        {
            if (!PolicyFileGate.TryDecode(bytes, File, out var text, out var refusal))
                return WellPlaced([refusal!], LineCount(bytes), out problem) ? Outcome.RefusedByGate : Outcome.Defect;
            var result = PolicyParser.Parse([new PolicySource(File, text)]);
            if (result.IsValid)
                return Outcome.Valid;
            if (result.Errors.Count == 0)
            {
                problem = "invalid with no error";
                return Outcome.Defect;
            }
            return WellPlaced(result.Errors, LineCount(bytes), out problem) ? Outcome.Invalid : Outcome.Defect;
        }
        catch (Exception e)
        {
            problem = e.ToString();
            return Outcome.Defect;
        }
    }

    private static bool WellPlaced(IReadOnlyList<PolicyError> errors, int lines, out string? problem)
    {
        foreach (var error in errors)
        {
            var at = error.Location;
            var text = error.ToString();
            if (at.File != File || at.Line < 1 || at.Column < 1 || at.Line > lines + 1 || error.Message.Length == 0)
            {
                problem = "badly placed error: " + text;
                return false;
            }
            if (text.Any(c => char.IsControl(c)))
            {
                problem = "an error carries a control character: " + text.Replace("\n", "\\n", StringComparison.Ordinal);
                return false;
            }
        }
        problem = null;
        return true;
    }

    private static int LineCount(byte[] bytes) => 1 + bytes.Count(b => b == '\n') + bytes.Count(b => b == '\r');

    /// <summary>Case <paramref name="n"/>: the same bytes for the same seed and number, on every machine.</summary>
    public (string Seed, byte[] Bytes, string Mutations) Case(long n)
    {
        var random = new Random(CaseSeed(_seed, n));
        var (name, original) = _seeds[random.Next(_seeds.Count)];
        var bytes = new List<byte>(original);
        var applied = new List<string>();
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++)
            applied.Add(Mutate(random, bytes));
        return (name, [.. bytes], string.Join(",", applied));
    }

    // SplitMix64 of (seed, case): HashCode.Combine is randomised per process, and a case must replay anywhere.
    private static int CaseSeed(int seed, long n)
    {
        var x = unchecked(((ulong)(uint)seed << 40) ^ (ulong)n) + 0x9E3779B97F4A7C15UL;
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return (int)(x ^ (x >> 31));
    }

    private static readonly string[] OddText =
    [
        "\0", "\u0085", "\u00a0", "\u200b", "\u202e", "\ufeff", "\u2028", "\u0301", "\U0001F600", "\uff11", "\u0661", "İ", "ß",
        "\t", "\r", "\u001b[31m", "\\0", "\\x00", "\\u202e", "\"", "'", "&a ", "*a", "!!str ", "|", ">", "%", "@", "`", "? ", ": ", "- ", "#",
        "---\n", "...\n", "<<: *a\n", "~", "0x10", "010.1.1.1", "1e999", "99999999999999999999", "-0", ".inf", "0d", "100000w",
    ];

    private static string Mutate(Random random, List<byte> bytes)
    {
        var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count + 1);
        switch (random.Next(8))
        {
            case 0:
                var flips = 1 + random.Next(8);
                for (var i = 0; i < flips && bytes.Count > 0; i++)
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                return $"flip {flips}";
            case 1:
                bytes.RemoveRange(at, bytes.Count - at);
                return $"truncate {at}";
            case 2:
                return DuplicateLine(random, bytes);
            case 3:
                return DeleteLine(random, bytes);
            case 4:
                var depth = new[] { 10, 63, 64, 65, 100, 1_000, 10_000 }[random.Next(7)];
                var opener = new[] { "[", "{a: ", "- ", "  ", "[{a: " }[random.Next(5)];
                var closer = opener switch { "[" => "]", "{a: " => "}", "[{a: " => "}]", _ => "" };
                var nested = string.Concat(Enumerable.Repeat(opener, depth)) + "x" + (random.Next(2) == 0 ? string.Concat(Enumerable.Repeat(closer, depth)) : "");
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(nested));
                return $"nest {depth}x'{opener.Trim()}'";
            case 5:
                var odd = OddText[random.Next(OddText.Length)];
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(odd));
                return "unicode";
            case 6:
                // Raw bytes no encoder makes: a lone surrogate, an overlong NUL, a stray continuation byte, UTF-16.
                var raw = new[] { new byte[] { 0xED, 0xA0, 0x80 }, [0xC0, 0x80], [0x80], [0xFF, 0xFE], [0xEF, 0xBB, 0xBF] }[random.Next(5)];
                bytes.InsertRange(random.Next(2) == 0 ? 0 : at, raw);
                return "bytes";
            default:
                return SwapLines(random, bytes);
        }
    }

    private static List<(int Start, int Length)> Lines(List<byte> bytes)
    {
        var lines = new List<(int, int)>();
        var start = 0;
        for (var i = 0; i < bytes.Count; i++)
        {
            if (bytes[i] == '\n')
            {
                lines.Add((start, i - start + 1));
                start = i + 1;
            }
        }
        if (start < bytes.Count)
            lines.Add((start, bytes.Count - start));
        return lines;
    }

    private static string DuplicateLine(Random random, List<byte> bytes)
    {
        var lines = Lines(bytes);
        if (lines.Count == 0)
            return "duplicate none";
        var (start, length) = lines[random.Next(lines.Count)];
        var copies = random.Next(4) == 0 ? 1 + random.Next(20) : 1;
        var line = bytes.GetRange(start, length);
        if (line[^1] != '\n')
            line.Add((byte)'\n');
        for (var i = 0; i < copies; i++)
            bytes.InsertRange(start, line);
        return $"duplicate {copies}";
    }

    private static string DeleteLine(Random random, List<byte> bytes)
    {
        var lines = Lines(bytes);
        if (lines.Count == 0)
            return "delete none";
        var (start, length) = lines[random.Next(lines.Count)];
        bytes.RemoveRange(start, length);
        return "delete";
    }

    private static string SwapLines(Random random, List<byte> bytes)
    {
        var lines = Lines(bytes);
        if (lines.Count < 2)
            return "swap none";
        var a = random.Next(lines.Count - 1);
        var first = bytes.GetRange(lines[a].Start, lines[a].Length);
        var second = bytes.GetRange(lines[a + 1].Start, lines[a + 1].Length);
        if (second[^1] != '\n')
            return "swap none";
        bytes.RemoveRange(lines[a].Start, first.Count + second.Count);
        bytes.InsertRange(lines[a].Start, [.. second, .. first]);
        return "swap";
    }
}
