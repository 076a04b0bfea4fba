using System.IO.Enumeration;
using System.Text;
using Reconciler.Diagnostics;

namespace Reconciler.Policies.Loading;

/// <summary>
/// The one way a policy file is read. Only regular files whose real path (links resolved) lies inside
/// <c>--policies</c>; at most <see cref="MaxFileBytes"/> bytes, counted as they are read (a link to /dev/zero has
/// a size of 0 by stat); strict UTF-8 with no control characters. Every refusal is a <see cref="PolicyError"/> at
/// the file, and none of them quotes what a refused file holds.
/// </summary>
internal static class PolicyFileGate
{
    /// <summary>Larger than any sane policy file; a bigger one is refused before YAML ever sees it.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>Linux's own limit on links followed in one path (ELOOP).</summary>
    private const int MaxLinkHops = 40;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Every <c>*.yaml</c> and <c>*.yml</c> below <paramref name="root"/>, links included; linked folders are not entered.</summary>
    public static List<string> Find(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        var found = new FileSystemEnumerable<string>(root, (ref FileSystemEntry entry) => entry.ToFullPath(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && IsPolicyName(entry.FileName),
            // A linked folder may lead outside --policies, or back into itself.
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !entry.Attributes.HasFlag(FileAttributes.ReparsePoint),
        };
        try
        {
            return [.. found.Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw ReconcilerException.InvalidArgument("policies", $"cannot list '{root}': {e.Message}");
        }
    }

    /// <summary>Why the path of a policy file is refused, or null: it holds no control or format character.</summary>
    internal static string? NameProblem(string path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            if (ControlCharacters.IsForbidden(path[i]))
                return $"not read: its path holds the control character U+{(int)path[i]:X4} at position {i + 1}; names of policy files hold no control characters (rename it)";
        }
        return null;
    }

    private static bool IsPolicyName(ReadOnlySpan<char> name) =>
        name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The text of <paramref name="path"/>, or the one error that says why it is not read.</summary>
    public static bool TryRead(string path, string realRoot, string display, out string text, out PolicyError? error)
    {
        text = "";
        error = null;
        var at = new SourceLocation(ControlCharacters.Escape(display), 1, 1);
        PolicyError Refuse(string message) => new(at, message);

        // A file's name goes into rendered rules' comments, logs and bodies: a line break in it would start a rule
        // or a workflow command there (README "Text from outside is data").
        if (NameProblem(display) is { } named)
        {
            error = Refuse(named);
            return false;
        }

        var real = RealPath(path, out var problem);
        if (real is null)
        {
            error = Refuse($"not read: {problem}");
            return false;
        }
        if (!IsInside(real, realRoot))
        {
            error = Refuse("not read: it is a link that leads outside --policies; only files inside --policies are read");
            return false;
        }
        var kind = FileKinds.Of(real);
        if (kind == FileKinds.Kind.Missing)
        {
            error = Refuse("not read: it is a link to nothing (the file it names does not exist)");
            return false;
        }
        if (kind != FileKinds.Kind.Regular)
        {
            error = Refuse($"not read: it is {FileKinds.Describe(kind)}, not a regular file");
            return false;
        }
        byte[] bytes;
        try
        {
            bytes = ReadAtMost(real, MaxFileBytes + 1);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            error = Refuse($"cannot be read: {Reason(e)}");
            return false;
        }
        if (bytes.Length > MaxFileBytes)
        {
            error = Refuse($"the file is larger than {MaxFileBytes:N0} bytes, the limit for a policy file (split it)");
            return false;
        }
        return TryDecode(bytes, display, out text, out error);
    }

    /// <summary>Strict UTF-8 (a BOM is allowed), and only the characters YAML allows in a text: tab, line breaks and printable ones.</summary>
    internal static bool TryDecode(byte[] bytes, string display, out string text, out PolicyError? error)
    {
        text = "";
        error = null;
        if (bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)))
        {
            error = new(new SourceLocation(display, 1, 1), "the file is UTF-16; save it as UTF-8");
            return false;
        }
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        try
        {
            text = StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            var index = start + Math.Max(0, e.Index);
            var (line, column) = Position(bytes, index);
            error = new(new SourceLocation(display, line, column), $"byte 0x{bytes[index]:X2} is not UTF-8; policy files are UTF-8 text");
            return false;
        }
        var lineNumber = 1;
        var lineStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                lineNumber++;
                lineStart = i + 1;
                continue;
            }
            if (c is '\t' or '\r' || !IsOutsideYamlCharacters(c))
                continue;
            error = new(new SourceLocation(display, lineNumber, i - lineStart + 1), $"the character U+{(int)c:X4} is not allowed in a YAML file (a binary file, or a stray control character?)");
            text = "";
            return false;
        }
        return true;
    }

    // YAML 1.2 §5.1: printable characters are tab, line breaks, 0x20-0x7E, NEL and 0xA0 up, less the non-characters.
    private static bool IsOutsideYamlCharacters(char c) => c < 0x20 || c == 0x7F || (c is >= '\u0080' and <= '\u009F' && c != '\u0085') || c is '\uFFFE' or '\uFFFF';

    private static (int Line, int Column) Position(byte[] bytes, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index && i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        // Columns count characters: continuation bytes of the characters before it do not start one.
        var column = 1;
        for (var i = lineStart; i < index; i++)
        {
            if ((bytes[i] & 0xC0) != 0x80)
                column++;
        }
        return (line, column);
    }

    private static byte[] ReadAtMost(string path, long limit)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (buffer.Length < limit)
        {
            var read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit - buffer.Length));
            if (read == 0)
                break;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The path with every link resolved, like realpath(3); null with the reason when it cannot be.</summary>
    public static string? RealPath(string path, out string? problem)
    {
        problem = null;
        var full = Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return full;
        var pending = new Stack<string>(full.Split('/').Reverse());
        var current = "/";
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
                continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Join(current, part);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                problem = Reason(e);
                return null;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++hops > MaxLinkHops)
            {
                problem = "its symbolic links go round in a loop (or more than 40 in a row)";
                return null;
            }
            if (Path.IsPathRooted(target))
                current = "/";
            foreach (var piece in target.Split('/').Reverse())
                pending.Push(piece);
        }
        return current;
    }

    public static bool IsInside(string real, string realRoot) =>
        real == realRoot || real.StartsWith(realRoot.TrimEnd('/') + "/", StringComparison.Ordinal);

    // .NET's messages name the path already ("Access to the path '…' is denied."); strip nothing, add nothing.
    private static string Reason(Exception e) => e.Message;
}
