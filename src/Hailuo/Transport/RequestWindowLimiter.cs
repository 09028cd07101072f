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
    private readonly TimeSpan _hold;

    public RequestWindowLimiter(RateLimit limit)
    {
        _permits = new SemaphoreSlim(limit.Permits, limit.Permits);
        // 1 % and 5 ms on top: timers may fire a tick early, and the provider's clock is not ours.
        _hold = limit.Window + TimeSpan.FromTicks(limit.Window.Ticks / 100) + TimeSpan.FromMilliseconds(5);
    }

    /// <summary>Waits for a permit. Dispose the lease when the answer has arrived, or the attempt has failed.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await _permits.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Lease(this);
    }

    private void ReleaseLater() =>
        _ = Task.Delay(_hold).ContinueWith(static (_, state) => ((SemaphoreSlim)state!).Release(), _permits,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private sealed class Lease : IDisposable
    {
        private RequestWindowLimiter? _owner;

        public Lease(RequestWindowLimiter owner) => _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.ReleaseLater();
    }
}
