using System.Security.Cryptography;

namespace Reconciler.Dns.Transport;

/// <summary>
/// Unpredictable 16-bit transaction ids from the system's CSPRNG, drawn a few thousand at a time: one call to the
/// generator per 2,048 queries instead of one per query. Not thread-safe; its owner holds a lock.
/// </summary>
internal sealed class TransactionIds
{
    private readonly byte[] _bytes = new byte[4096];
    private int _next = int.MaxValue;

    public ushort Next()
    {
        if (_next >= _bytes.Length)
        {
            RandomNumberGenerator.Fill(_bytes);
            _next = 0;
        }
        var id = (ushort)(_bytes[_next] << 8 | _bytes[_next + 1]);
        _next += 2;
        return id;
    }
}
