using Hailuo.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Hailuo.Tests.Engine.Client;

/// <summary>The client's rate window counts a request from when it leaves until one window after its answer.</summary>
public sealed class RequestWindowLimiterTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    // The window, and 1 % and 5 ms on top for timers that fire early (RequestWindowLimiter).
    private static readonly TimeSpan Hold = Window + (Window / 100) + TimeSpan.FromMilliseconds(5);

    // Only a bound for a test that has gone wrong: every wait here is on the fake clock.
    private static readonly TimeSpan Stuck = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_permit_comes_back_one_window_after_the_answer_not_after_the_send()
    {
        var clock = new FakeTimeProvider();
        var limiter = new RequestWindowLimiter(new RateLimit(1, Window));
        var slow = await limiter.AcquireAsync(clock, CancellationToken.None);
        // The answer takes two windows to come back: a window counted from the send would already be over.
        clock.Advance(Window * 2);
        var next = limiter.AcquireAsync(clock, CancellationToken.None);
        Assert.False(next.IsCompleted);

        slow.Dispose();
        clock.Advance(Window);
        Assert.False(next.IsCompleted);
        clock.Advance(Hold - Window);

        (await next.WaitAsync(Stuck)).Dispose();
    }

    [Fact]
    public async Task A_window_passes_at_the_providers_pace()
    {
        var fake = new FakeTimeProvider();
        var clock = new EmulatedTime(0.01, fake);
        var limiter = new RequestWindowLimiter(new RateLimit(1, Window));
        (await limiter.AcquireAsync(clock, CancellationToken.None)).Dispose();
        var next = limiter.AcquireAsync(clock, CancellationToken.None);

        // 60 s at 0.01 is 600 ms, with 6 ms and 5 ms on top.
        fake.Advance(TimeSpan.FromMilliseconds(610));
        Assert.False(next.IsCompleted);
        fake.Advance(TimeSpan.FromMilliseconds(1));

        (await next.WaitAsync(Stuck)).Dispose();
    }

    [Fact]
    public async Task Waiters_are_served_oldest_first_and_a_lease_is_given_back_once()
    {
        var clock = new FakeTimeProvider();
        var limiter = new RequestWindowLimiter(new RateLimit(1, Window));
        var first = await limiter.AcquireAsync(clock, CancellationToken.None);
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 5).Select(async i =>
        {
            using var _ = await limiter.AcquireAsync(clock, CancellationToken.None);
            lock (order)
            {
                order.Add(i);
            }
        }).ToList();

        first.Dispose();
        first.Dispose();
        clock.Advance(Hold);
        await waiters[0].WaitAsync(Stuck);
        // A second Dispose of the same lease gave nothing back: the next waiter still waits out a window.
        Assert.False(waiters[1].IsCompleted);
        foreach (var waiter in waiters.Skip(1))
        {
            clock.Advance(Hold);
            await waiter.WaitAsync(Stuck);
        }

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task A_cancelled_wait_takes_no_permit()
    {
        var clock = new FakeTimeProvider();
        var limiter = new RequestWindowLimiter(new RateLimit(1, Window));
        var held = await limiter.AcquireAsync(clock, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync(clock, cancel.Token);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        clock.Advance(Hold);
        (await limiter.AcquireAsync(clock, CancellationToken.None).WaitAsync(Stuck)).Dispose();
    }
}
