using System.Collections.Concurrent;

namespace Hailuo.Tests;

/// <summary>
/// A clock whose timers fire at once, on the thread pool, each moving the clock on by its wait: a test sees every wait
/// the code under test asked for (retry backoff, Retry-After) and spends none of it.
/// </summary>
public sealed class InstantClock : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    /// <summary>Every finite wait asked for, in order.</summary>
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    /// <summary>Runs for each wait before it ends: what the world does while the code under test waits.</summary>
    public Func<TimeSpan, Task>? During { get; init; }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class Timer(InstantClock clock, TimerCallback callback, object? state) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return false;
            }
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                clock.Waits.Enqueue(dueTime);
                Interlocked.Add(ref clock._ticks, dueTime.Ticks);
                _ = Task.Run(async () =>
                {
                    if (clock.During is { } during)
                    {
                        await during(dueTime);
                    }
                    if (Volatile.Read(ref _disposed) == 0)
                    {
                        callback(state);
                    }
                });
            }
            return true;
        }

        public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
