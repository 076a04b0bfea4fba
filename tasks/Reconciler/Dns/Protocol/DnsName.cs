using System.Text;

namespace Reconciler.Dns.Protocol;

/// <summary>
/// A domain name as DNS carries it: its labels as bytes (uncompressed wire form, ending in the root label).
/// A name read from an answer is asked again exactly as it came, whatever bytes its labels hold: the text form
/// (<see cref="ToString"/>, escaped as dig prints it) is for people only, never parsed back on the way to a query
/// (README "DNS"). Two names are equal when their labels are, ASCII letters compared without case (RFC 4343);
/// other bytes compare exactly.
/// </summary>
public sealed class DnsName : IEquatable<DnsName>
{
    /// <summary>RFC 1035 §2.3.4: at most 255 octets on the wire, counting length bytes.</summary>
    public const int MaxOctets = 255;

    /// <summary>RFC 1035 §2.3.4: at most 63 octets in one label.</summary>
    public const int MaxLabelOctets = 63;

    private readonly byte[] _wire;
    private string? _text;

    private DnsName(byte[] wire) => _wire = wire;

    public static DnsName Root { get; } = new([0]);

    /// <summary>The name as it goes on the wire: length-prefixed labels, then the zero octet.</summary>
    public ReadOnlySpan<byte> Wire => _wire;

    /// <summary>
    /// A name from wire labels the caller has already checked (each label 1–63 octets, at most 255 in all, ending
    /// in the root label): the wire reader's output.
    /// </summary>
    internal static DnsName FromCheckedWire(ReadOnlySpan<byte> wire) => wire.Length == 1 ? Root : new DnsName(wire.ToArray());

    /// <summary>
    /// Reads a name's text form, as a policy or a person writes it: labels separated by dots, a trailing dot
    /// optional, <c>\.</c>, <c>\\</c> and <c>\DDD</c> escapes inside a label (RFC 1035 §5.1). False, with why, for
    /// text that names nothing DNS can ask: an empty or over-long label, more than 255 octets, a character beyond
    /// ASCII, a broken escape.
    /// </summary>
    public static bool TryParse(string text, out DnsName name, out string error)
    {
        name = Root;
        error = "";
        if (text is "." or "")
        {
            if (text.Length == 0)
                error = "the name is empty";
            return text.Length != 0;
        }
        Span<byte> wire = stackalloc byte[MaxOctets];
        var written = 0;
        var labelStart = 0;
        var labelLength = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            int b;
            if (c == '.')
            {
                if (labelLength == 0)
                    return Fail("an empty label", out error);
                wire[labelStart] = (byte)labelLength;
                labelLength = 0;
                if (i == text.Length - 1)
                    break;
                continue;
            }
            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                    return Fail("it ends in a lone backslash", out error);
                if (char.IsAsciiDigit(text[i + 1]))
                {
                    if (i + 3 >= text.Length)
                        return Fail("a \\DDD escape is cut off", out error);
                    if (!char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
                        return Fail("a \\DDD escape needs three digits", out error);
                    b = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
                    if (b > 255)
                        return Fail($"\\{b} is not a byte", out error);
                    i += 3;
                }
                else
                {
                    b = text[++i];
                }
            }
            else if (c > 0x7F)
            {
                return Fail("a character beyond ASCII (write the name in its A-label form, xn--…, or a byte as \\DDD)", out error);
            }
            else
            {
                b = c;
            }
            if (labelLength == 0)
            {
                labelStart = written++;
                if (written > MaxOctets - 1)
                    return Fail($"it is longer than {MaxOctets} octets on the wire", out error);
            }
            if (++labelLength > MaxLabelOctets)
                return Fail($"a label is longer than {MaxLabelOctets} octets", out error);
            if (written >= MaxOctets - 1)
                return Fail($"it is longer than {MaxOctets} octets on the wire", out error);
            wire[written++] = (byte)b;
        }
        if (labelLength > 0)
            wire[labelStart] = (byte)labelLength;
        wire[written++] = 0;
        name = new DnsName(wire[..written].ToArray());
        return true;
    }

    /// <exception cref="ArgumentException">The text names nothing DNS can ask (see <see cref="TryParse"/>).</exception>
    public static DnsName Parse(string text) =>
        TryParse(text, out var name, out var error) ? name : throw new ArgumentException($"'{text}' cannot be asked as a DNS name: {error}", nameof(text));

    private static bool Fail(string why, out string error)
    {
        error = why;
        return false;
    }

    public bool Equals(DnsName? other)
    {
        if (other is null)
            return false;
        if (ReferenceEquals(this, other))
            return true;
        var a = _wire.AsSpan();
        var b = other._wire.AsSpan();
        if (a.Length != b.Length)
            return false;
        // Length octets are below 64, so folding them as letters changes nothing; RFC 4343 folds ASCII only.
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && Fold(a[i]) != Fold(b[i]))
                return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is DnsName other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var b in _wire)
            hash.Add(Fold(b));
        return hash.ToHashCode();
    }

    public static bool operator ==(DnsName? a, DnsName? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(DnsName? a, DnsName? b) => !(a == b);

    private static byte Fold(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    /// <summary>
    /// The text form, without the trailing dot ("" for the root), as dig prints it: printable ASCII as is, <c>.</c>
    /// and <c>\</c> inside a label as <c>\.</c> and <c>\\</c>, anything else as <c>\DDD</c>, so that a hostile label
    /// can never forge a dot, a space or a control character in what we print.
    /// </summary>
    public override string ToString() => _text ??= Text(_wire);

    private static string Text(ReadOnlySpan<byte> wire)
    {
        var text = new StringBuilder(wire.Length + 8);
        var at = 0;
        while (wire[at] != 0)
        {
            if (text.Length > 0)
                text.Append('.');
            foreach (var b in wire.Slice(at + 1, wire[at]))
            {
                if (b is (byte)'.' or (byte)'\\')
                    text.Append('\\').Append((char)b);
                else if (b is > 0x20 and < 0x7F)
                    text.Append((char)b);
                else
                    text.Append('\\').Append((char)('0' + b / 100)).Append((char)('0' + b / 10 % 10)).Append((char)('0' + b % 10));
            }
            at += 1 + wire[at];
        }
        return text.ToString();
    }
}
