using Hailuo.Transport;

namespace Hailuo.Tests.Reliability;

/// <summary>Defects the hostile suite ran into that no single case shows every time, pinned down on their own.</summary>
public sealed class HostileFindingsTests
{
    [Fact]
    public async Task A_rate_limit_scaled_to_a_window_of_milliseconds_still_refills()
    {
        // Replicate's 600 creates a minute at the emulator's time scale of 0.0002: a 12 ms window.
        var limit = RateLimit.PerMinute(600);
        var clock = new EmulatedTime(0.0002);
        var limiter = SharedLimits.Rate("hostile-findings|" + Guid.NewGuid(), limit)!;
        for (var i = 0; i < limit.Permits; i++)
        {
            using var lease = await limiter.AcquireAsync(clock, CancellationToken.None);
        }

        var next = limiter.AcquireAsync(clock, CancellationToken.None);

        Assert.Same(next, await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(5))));
        (await next).Dispose();
    }
}
