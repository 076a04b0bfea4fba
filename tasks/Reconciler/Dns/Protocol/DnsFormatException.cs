namespace Reconciler.Dns.Protocol;

/// <summary>
/// A message that does not decode. It carries where decoding stopped and the bytes, so a bad answer can be
/// reported and reproduced; the decoder throws nothing else, whatever it is fed.
/// </summary>
public sealed class DnsFormatException : Exception
{
    public DnsFormatException(string message, int offset, ReadOnlySpan<byte> bytes)
        : base($"{message} (at offset {offset} of {bytes.Length} bytes)")
    {
        Offset = offset;
        Bytes = bytes.ToArray();
    }

    public int Offset { get; }
    public byte[] Bytes { get; }
}
