using Microsoft.Extensions.Time.Testing;
using Reconciler.GitHub;

namespace Reconciler.Tests.GitHub;

/// <summary>The write pacer on a fake clock: what it lets through, when, and that no window is ever overfilled.</summary>
public sealed class GitHubWritePacerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Eighty_writes_go_at_once_and_the_eighty_first_waits_for_the_first_to_leave_the_minute()
    {
        var clock = new FakeTimeProvider(Start);
        var pacer = new GitHubWritePacer(clock);

        for (var i = 0; i < 80; i++)
            Assert.True(pacer.WaitAsync(CancellationToken.None).IsCompletedSuccessfully, $"write {i + 1} waited");
        var eightyFirst = pacer.WaitAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.False(eightyFirst.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));   // 61 s: GitHub's minute and a second's margin

        await eightyFirst;
        Assert.Equal((81, TimeSpan.FromSeconds(61)), pacer.Totals);
    }

    [Fact]
    public async Task Writes_spread_over_time_are_never_held_back()
    {
        var clock = new FakeTimeProvider(Start);
        var pacer = new GitHubWritePacer(clock);

        for (var i = 0; i < 400; i++)
        {
            await pacer.WaitAsync(CancellationToken.None);   // completes at once, or the test hangs
            clock.Advance(TimeSpan.FromSeconds(1));           // 60 a minute, and 400 within the hour's 500
        }
        Assert.Equal((400, TimeSpan.Zero), pacer.Totals);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task However_writes_arrive_no_window_ever_holds_more_than_its_limit(int seed)
    {
        var random = new Random(seed);
        var clock = new FakeTimeProvider(Start);
        IReadOnlyList<GitHubWritePacer.Window> windows = [new(7, TimeSpan.FromSeconds(10)), new(20, TimeSpan.FromSeconds(60))];
        var pacer = new GitHubWritePacer(clock, windows);
        var sent = new List<DateTimeOffset>();

        for (var burst = 0; burst < 40; burst++)
        {
            // When each write is let go, by the fake clock: what GitHub would see, not the pacer's own bookkeeping.
            var writes = Enumerable.Range(0, random.Next(0, 12))
                .Select(_ => pacer.WaitAsync(CancellationToken.None).ContinueWith(_ => sent.Add(clock.GetUtcNow()), TaskContinuationOptions.ExecuteSynchronously))
                .ToList();
            while (pacer.WaitingUntil is { } until)
                clock.Advance(until - clock.GetUtcNow());
            await Task.WhenAll(writes);
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 8000)));
        }

        Assert.Equal(pacer.Totals.Writes, sent.Count);
        Assert.True(pacer.Totals.Waited > TimeSpan.Zero, "the bursts were big enough to be held back");
        foreach (var window in windows)
            foreach (var end in sent)
                Assert.True(sent.Count(s => s > end - window.Length && s <= end) <= window.Writes, $"more than {window.Writes} writes in {window.Length} ending {end:HH:mm:ss.fff}");
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_the_next_write_still_goes_in_its_turn()
    {
        var clock = new FakeTimeProvider(Start);
        var pacer = new GitHubWritePacer(clock, [new GitHubWritePacer.Window(1, TimeSpan.FromSeconds(10))]);
        await pacer.WaitAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource();

        var cancelled = pacer.WaitAsync(stop.Token);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        var next = pacer.WaitAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.False(next.IsCompleted);   // the cancelled write's slot is kept: never sooner than allowed
        clock.Advance(TimeSpan.FromSeconds(1));
        await next;
    }
}
