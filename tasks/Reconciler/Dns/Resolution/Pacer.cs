namespace Reconciler.Dns.Resolution;

/// <summary>Spaces out starts to at most a given rate: each caller gets the next free slot and waits for it.</summary>
internal sealed class Pacer(double? perSecond, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly long _interval = perSecond is > 0 ? (long)(time.TimestampFrequency / perSecond.Value) : 0;
    private long _next;

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_interval == 0)
            return Task.CompletedTask;
        long slot;
        var now = time.GetTimestamp();
        lock (_lock)
        {
            slot = Math.Max(now, _next);
            _next = slot + _interval;
        }
        var wait = TimeSpan.FromSeconds((double)(slot - now) / time.TimestampFrequency);
        return wait > TimeSpan.FromMilliseconds(1) ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }
}
