namespace Reconciler.Dns.Transport;

/// <summary>The set of local UDP ports queries have left from, as one bit per port. Not thread-safe; its owner holds a lock.</summary>
internal sealed class SourcePorts
{
    private readonly ulong[] _bits = new ulong[65536 / 64];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add(int port)
    {
        ref var word = ref _bits[port >> 6];
        var bit = 1UL << (port & 63);
        if ((word & bit) != 0)
            return;
        word |= bit;
        Volatile.Write(ref _count, _count + 1);
    }
}
