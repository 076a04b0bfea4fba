using System.Buffers.Binary;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Wire;

/// <summary>
/// Reads big-endian fields and domain names from a whole DNS message. Every read is checked against the
/// buffer; anything out of bounds is a <see cref="DnsFormatException"/> naming the offset, never an
/// IndexOutOfRangeException.
/// </summary>
internal ref struct DnsWireReader(ReadOnlySpan<byte> message)
{
    /// <summary>RFC 1035 §2.3.4: a name is at most 255 octets on the wire, counting length bytes.</summary>
    public const int MaxNameOctets = 255;

    private readonly ReadOnlySpan<byte> _message = message;
    // The last name read whole from where it starts, and where: a name that is only a pointer to it (an answer's
    // owner pointing at the question, mostly) is the same name, decoded once.
    private int _lastNameAt = -1;
    private DnsName? _lastName;

    public int Offset { get; set; }

    public readonly int Remaining => _message.Length - Offset;

    public byte ReadByte()
    {
        Need(1, "a byte");
        return _message[Offset++];
    }

    public ushort ReadUInt16()
    {
        Need(2, "a 16-bit field");
        var value = BinaryPrimitives.ReadUInt16BigEndian(_message[Offset..]);
        Offset += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4, "a 32-bit field");
        var value = BinaryPrimitives.ReadUInt32BigEndian(_message[Offset..]);
        Offset += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        // The message is only made when it is thrown: this runs for every address record.
        if (count < 0 || Offset + count > _message.Length)
            throw Fail($"the message ends where {count} bytes should be");
        var bytes = _message.Slice(Offset, count);
        Offset += count;
        return bytes;
    }

    /// <summary>
    /// A domain name (RFC 1035 §4.1.4): labels ending in a zero octet, or in a pointer to an earlier name.
    /// Each pointer must point strictly before the previous one, which rules out loops, and the expanded
    /// name may not pass 255 octets. The labels are kept as bytes, never turned into text on the way.
    /// </summary>
    public DnsName ReadName()
    {
        if (_lastName is not null && Offset + 1 < _message.Length && (_message[Offset] & 0xC0) == 0xC0
            && ((_message[Offset] & 0x3F) << 8 | _message[Offset + 1]) == _lastNameAt)
        {
            Offset += 2;
            return _lastName;
        }
        Span<byte> name = stackalloc byte[MaxNameOctets];
        var written = 0;
        var start = Offset;
        var position = Offset;
        var floor = Offset;
        var jumped = false;
        while (true)
        {
            if (position >= _message.Length)
                throw Fail("a name runs past the end of the message", position);
            var length = _message[position];
            switch (length & 0xC0)
            {
                case 0x00 when length == 0:
                    name[written++] = 0;
                    var decoded = DnsName.FromCheckedWire(name[..written]);
                    if (!jumped)
                    {
                        Offset = position + 1;
                        (_lastNameAt, _lastName) = (start, decoded);
                    }
                    return decoded;
                case 0x00:
                    // The label, its length octet and the root label still to come must fit in 255 octets.
                    if (written + 1 + length + 1 > MaxNameOctets)
                        throw Fail($"a name is longer than {MaxNameOctets} octets", position);
                    if (position + 1 + length > _message.Length)
                        throw Fail("a label runs past the end of the message", position);
                    _message.Slice(position, 1 + length).CopyTo(name[written..]);
                    written += 1 + length;
                    position += 1 + length;
                    break;
                case 0xC0:
                    if (position + 1 >= _message.Length)
                        throw Fail("a compression pointer is cut off", position);
                    var target = ((length & 0x3F) << 8) | _message[position + 1];
                    if (target >= floor)
                        throw Fail($"a compression pointer to {target} does not point backwards (a loop?)", position);
                    if (!jumped)
                        Offset = position + 2;
                    jumped = true;
                    floor = target;
                    position = target;
                    break;
                default:
                    throw Fail($"label type 0x{length & 0xC0:X2} is not supported", position);
            }
        }
    }

    public readonly DnsFormatException Fail(string message, int? at = null) => new(message, at ?? Offset, _message);

    private readonly void Need(int count, string what)
    {
        if (count < 0 || Offset + count > _message.Length)
            throw Fail($"the message ends where {what} should be");
    }
}
