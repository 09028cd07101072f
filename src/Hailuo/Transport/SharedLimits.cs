using System;
using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Hailuo.Transport;

/// <summary>
/// Rate and in-flight limits shared by every client in the process, keyed by provider, account and
/// scope: two pipelines in one session must not each believe they own the whole budget.
/// </summary>
internal static class SharedLimits
{
    private static readonly ConcurrentDictionary<string, RateLimiter> RateLimiters = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, ConcurrencyLimiter> InFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// A sliding window a little longer than the provider's, so that requests arriving at the server a
    /// few milliseconds apart from when they left here never add up to one too many in its window.
    /// </summary>
    public static RateLimiter? Rate(string key, RateLimit? limit)
    {
        if (limit is null)
        {
            return null;
        }
        // At least 1 ms a segment: under the emulator's smallest time scales a shorter replenishment period truncates
        // to a Timer period of 0, which fires once, and the limiter would never refill.
        var segments = (int)Math.Max(1, Math.Min(Math.Min(100, limit.Permits * 4L), limit.Window.Ticks / TimeSpan.TicksPerMillisecond));
        var segment = TimeSpan.FromTicks(limit.Window.Ticks / segments);
        // One segment covers the window's granularity; 1 % plus 50 ms absorbs network skew.
        var margin = segment + TimeSpan.FromTicks(limit.Window.Ticks / 100) + TimeSpan.FromMilliseconds(50);
        var window = limit.Window + margin;
        var fullKey = $"{key}|{limit.Permits}|{limit.Window.Ticks}";
        return RateLimiters.GetOrAdd(fullKey, _ => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit.Permits,
            Window = window,
            SegmentsPerWindow = segments,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));
    }

    public static ConcurrencyLimiter JobsInFlight(string key, int limit) =>
        InFlight.GetOrAdd($"{key}|{limit}", _ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limit,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
}
