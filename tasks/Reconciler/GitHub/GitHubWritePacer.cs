namespace Reconciler.GitHub;

/// <summary>
/// Keeps content-creating requests (every method but GET) under GitHub's documented secondary rate limits, by
/// waiting before a write rather than retrying after a 403/429: no more than 80 a minute and 500 an hour. A run
/// that has more to write than that simply takes longer (README, Publishing).
/// </summary>
/// <remarks>
/// A log of the moments writes were given, one slot per write: a write takes the first moment at which every
/// window has room (counting the slots already given, some of them still ahead), then waits for it. Slots are
/// handed out in order, so the log stays sorted and a window's count only falls as the moment moves later.
/// </remarks>
public sealed class GitHubWritePacer(TimeProvider time, IReadOnlyList<GitHubWritePacer.Window>? windows = null)
{
    /// <summary>At most <paramref name="Writes"/> content-creating requests in any span of <paramref name="Length"/>.</summary>
    public sealed record Window(int Writes, TimeSpan Length);

    /// <summary>
    /// GitHub's: "no more than 80 content-generating requests per minute and no more than 500 per hour", each window
    /// a second longer, for requests that reach GitHub a little later or sooner than they leave.
    /// </summary>
    public static IReadOnlyList<Window> GitHubLimits { get; } = [new(80, TimeSpan.FromSeconds(61)), new(500, TimeSpan.FromSeconds(3601))];

    /// <summary>No limits at all (tests that count calls, not time).</summary>
    public static GitHubWritePacer Unpaced { get; } = new(TimeProvider.System, []);

    private readonly IReadOnlyList<Window> _windows = windows ?? GitHubLimits;
    private readonly List<DateTimeOffset> _slots = [];
    private readonly Lock _lock = new();
    private TimeSpan _waited;

    /// <summary>The next moment a waiting write goes; null when none waits (what a test's fake clock moves on to).</summary>
    public DateTimeOffset? WaitingUntil
    {
        get
        {
            lock (_lock)
            {
                var now = time.GetUtcNow();
                var next = _slots.FindIndex(s => s > now);
                return next < 0 ? null : _slots[next];
            }
        }
    }

    /// <summary>Writes let through so far, and how long they waited in all.</summary>
    public (int Writes, TimeSpan Waited) Totals
    {
        get
        {
            lock (_lock)
                return (_writes, _waited);
        }
    }

    private int _writes;

    /// <summary>The moments writes were given (oldest first, within the longest window), for tests to check the limits against.</summary>
    public IReadOnlyList<DateTimeOffset> Slots
    {
        get
        {
            lock (_lock)
                return [.. _slots];
        }
    }

    /// <summary>Returns when one more write may be sent.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_windows.Count == 0)
            return Task.CompletedTask;
        DateTimeOffset now, slot;
        lock (_lock)
        {
            now = time.GetUtcNow();
            var longest = _windows.Max(w => w.Length);
            var keepFrom = _slots.FindIndex(s => s > now - longest);
            _slots.RemoveRange(0, keepFrom < 0 ? _slots.Count : keepFrom);
            slot = _slots.Count > 0 && _slots[^1] > now ? _slots[^1] : now;
            foreach (var window in _windows)
                slot = Max(slot, FreeAt(slot, window));
            _slots.Add(slot);
            _writes++;
            _waited += slot - now;
        }
        return slot > now ? Task.Delay(slot - now, time, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>The first moment from <paramref name="from"/> on at which <paramref name="window"/> has room for one more write.</summary>
    private DateTimeOffset FreeAt(DateTimeOffset from, Window window)
    {
        // Every slot is at or before `from`; those after from - Length are in the window.
        var first = _slots.FindIndex(s => s > from - window.Length);
        var inWindow = first < 0 ? 0 : _slots.Count - first;
        if (inWindow < window.Writes)
            return from;
        // One more fits once the oldest (inWindow - Writes + 1) of them have left.
        return _slots[first + inWindow - window.Writes] + window.Length;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
