namespace Hailuo.Emulator.Core;

/// <summary>
/// Sliding-window request limits, one window per provider, scope and account, as providers count
/// "requests a minute". A refused request does not use up the budget.
/// </summary>
public sealed class RateWindows
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public RateWindows(TimeProvider time) => _time = time;

    /// <summary>
    /// Admits one request, or says how long until the window has room. <paramref name="window"/> is
    /// the real length of the provider's minute (scaled with the emulator's clock).
    /// </summary>
    public TimeSpan? TryAcquire(string key, int limit, TimeSpan window)
    {
        if (limit <= 0)
        {
            return null;
        }
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_windows.TryGetValue(key, out var stamps))
            {
                _windows[key] = stamps = new Queue<DateTimeOffset>();
            }
            while (stamps.Count > 0 && stamps.Peek() <= now - window)
            {
                stamps.Dequeue();
            }
            if (stamps.Count >= limit)
            {
                return stamps.Peek() + window - now;
            }
            stamps.Enqueue(now);
            return null;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _windows.Clear();
        }
    }
}
