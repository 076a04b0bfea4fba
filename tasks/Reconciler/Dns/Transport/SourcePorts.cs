namespace Reconciler.Dns.Transport;

/// <summary>The set of local UDP ports queries have left from, as one bit per port. Safe to add to from any thread.</summary>
internal sealed class SourcePorts
{
    private readonly ulong[] _bits = new ulong[65536 / 64];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add(int port)
    {
        var bit = 1UL << (port & 63);
        if ((Interlocked.Or(ref _bits[port >> 6], bit) & bit) == 0)
            Interlocked.Increment(ref _count);
    }
}
