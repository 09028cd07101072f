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
    private static readonly ConcurrentDictionary<string, RequestWindowLimiter> RateLimiters = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, ConcurrencyLimiter> InFlight = new(StringComparer.Ordinal);

    public static RequestWindowLimiter? Rate(string key, RateLimit? limit) =>
        limit is null ? null : RateLimiters.GetOrAdd($"{key}|{limit.Permits}|{limit.Window.Ticks}", _ => new RequestWindowLimiter(limit));

    public static ConcurrencyLimiter JobsInFlight(string key, int limit) =>
        InFlight.GetOrAdd($"{key}|{limit}", _ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limit,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
}
