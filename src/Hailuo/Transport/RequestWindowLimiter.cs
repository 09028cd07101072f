using System;
using System.Threading;
using System.Threading.Tasks;

namespace Hailuo.Transport;

/// <summary>
/// At most <c>Permits</c> requests in any window of the provider's, counted as the provider counts them: when they arrive.
/// A permit is taken when a request leaves and given back one window after its answer came: the arrival lies between
/// the two, so however slow the network, no provider window sees one request too many. Waiters are served oldest first.
/// </summary>
internal sealed class RequestWindowLimiter
{
    private readonly SemaphoreSlim _permits;
    private readonly TimeSpan _window;

    public RequestWindowLimiter(RateLimit limit)
    {
        _permits = new SemaphoreSlim(limit.Permits, limit.Permits);
        _window = limit.Window;
    }

    /// <summary>
    /// Waits for a permit. Dispose the lease when the answer has arrived, or the attempt has failed: the permit comes back
    /// one window later on <paramref name="clock"/>, the window passing at the provider's pace (<see cref="EmulatedTime"/>).
    /// </summary>
    public async Task<IDisposable> AcquireAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        await _permits.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Lease(this, clock);
    }

    private void ReleaseLater(TimeProvider clock)
    {
        var window = EmulatedTime.ProviderTime(clock, _window);
        // 1 % and 5 ms on top: timers may fire a tick early, and the provider's clock is not ours.
        var hold = window + TimeSpan.FromTicks(window.Ticks / 100) + TimeSpan.FromMilliseconds(5);
        _ = clock.Wait(hold, CancellationToken.None).ContinueWith(static (_, state) => ((SemaphoreSlim)state!).Release(), _permits,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private sealed class Lease : IDisposable
    {
        private readonly TimeProvider _clock;
        private RequestWindowLimiter? _owner;

        public Lease(RequestWindowLimiter owner, TimeProvider clock)
        {
            _owner = owner;
            _clock = clock;
        }

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.ReleaseLater(_clock);
    }
}
