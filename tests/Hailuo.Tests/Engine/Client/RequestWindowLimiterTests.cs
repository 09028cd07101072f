using Hailuo.Transport;

namespace Hailuo.Tests.Engine.Client;

/// <summary>The client's rate window counts a request from when it leaves until one window after its answer.</summary>
public sealed class RequestWindowLimiterTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_permit_comes_back_one_window_after_the_answer_not_after_the_send()
    {
        var limiter = new RequestWindowLimiter(new RateLimit(1, Window));
        var slow = await limiter.AcquireAsync(CancellationToken.None);
        // The answer takes two windows to come back: a window counted from the send would already be over.
        await Task.Delay(Window * 2);
        var next = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(next.IsCompleted);

        var answered = DateTime.UtcNow;
        slow.Dispose();
        (await next).Dispose();

        Assert.True(DateTime.UtcNow - answered >= Window, $"the permit came back {(DateTime.UtcNow - answered).TotalMilliseconds:0} ms after the answer");
    }

    [Fact]
    public async Task Waiters_are_served_oldest_first_and_a_lease_is_given_back_once()
    {
        var limiter = new RequestWindowLimiter(new RateLimit(1, Window));
        var first = await limiter.AcquireAsync(CancellationToken.None);
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 5).Select(async i =>
        {
            using var _ = await limiter.AcquireAsync(CancellationToken.None);
            lock (order)
            {
                order.Add(i);
            }
        }).ToList();

        first.Dispose();
        first.Dispose();
        await waiters[0];
        await Task.Delay(Window / 3);
        // A second Dispose of the same lease gave nothing back: the next waiter still waits out a window.
        Assert.False(waiters[1].IsCompleted);
        await Task.WhenAll(waiters);

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task A_cancelled_wait_takes_no_permit()
    {
        var limiter = new RequestWindowLimiter(new RateLimit(1, TimeSpan.FromMilliseconds(20)));
        var held = await limiter.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync(cancel.Token);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        var next = limiter.AcquireAsync(CancellationToken.None);
        Assert.Same(next, await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(5))));
    }
}
