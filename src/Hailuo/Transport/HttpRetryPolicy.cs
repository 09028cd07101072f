using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace Hailuo.Transport;

/// <summary>
/// When an HTTP request is tried again and after how long, for API calls (<see cref="ProviderTransport"/>) and video
/// downloads (Downloads/DownloadRecovery.cs) alike: which statuses and faults are passing, Retry-After in both its
/// forms and its cap, and exponential backoff with jitter, as one Polly retry pipeline. What a failure means beyond
/// that (a paid create that may have arrived, an expired link) is each caller's own <c>shouldRetry</c>. Thread-safe.
/// </summary>
internal sealed class HttpRetryPolicy
{
    /// <summary>
    /// The longest Retry-After waited for, in real time, by API calls and downloads alike. A server asking for
    /// more is reported instead (<see cref="WaitRefused"/>): the row's job stays in the ledger, and a re-run later
    /// costs nothing, where a wait this long would hold a whole batch. Up to it the server's word is kept, since
    /// coming back earlier only earns another refusal and spends an attempt.
    /// </summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    // Process-wide (docs/architecture.md), used under its own lock: jitter only.
    private static readonly Random Shared = new();

    private readonly int _maxRetries;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _clock;
    private readonly Func<double> _random;

    /// <param name="maxRetries">Attempts after the first; 0 tries once.</param>
    /// <param name="baseDelay">The first backoff; each further one doubles, up to <paramref name="maxDelay"/>.</param>
    /// <param name="maxDelay">The longest backoff (a Retry-After is not bound by it, only by <see cref="MaxRetryAfter"/>).</param>
    /// <param name="clock">
    /// The clock the waits pass on (HailuoClientOptions.TimeProvider); the backoff passes at the provider's pace
    /// (<see cref="EmulatedTime"/>), a Retry-After as the server said it. Null is the system's.
    /// </param>
    /// <param name="random">A source of [0, 1) for the jitter; null is a shared <see cref="Random"/>.</param>
    public HttpRetryPolicy(int maxRetries, TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider? clock = null, Func<double>? random = null)
    {
        _maxRetries = maxRetries;
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
        _clock = clock ?? TimeProvider.System;
        _random = random ?? NextShared;
    }

    private static double NextShared()
    {
        lock (Shared)
        {
            return Shared.NextDouble();
        }
    }

    /// <summary>408, 429 and every 5xx: the server could not answer now, and may later.</summary>
    public static bool IsTransientStatus(int status) => status is 408 or 429 or >= 500;

    /// <summary>A fault of the connection rather than an answer: refused, reset, or cut off part-way.</summary>
    public static bool IsConnectionFault(Exception e) => e is HttpRequestException or IOException or SocketException;

    /// <summary>
    /// The wait a Retry-After header asks for, in seconds (delta-seconds) or until a time (HTTP-date); a time
    /// already past is zero. Null without the header.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var header = headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>A wait longer than <see cref="MaxRetryAfter"/>: not retried, but reported with <see cref="WaitRefused"/>.</summary>
    public static bool IsTooLong(TimeSpan? retryAfter) => retryAfter > MaxRetryAfter;

    /// <summary>The words for a Retry-After beyond the cap, to follow "the server" or the provider's name.</summary>
    public static string WaitRefused(TimeSpan asked)
    {
        var words = asked.TotalDays >= 2
            ? string.Format(CultureInfo.InvariantCulture, "{0:N0} days", asked.TotalDays)
            : string.Format(CultureInfo.InvariantCulture, "{0:N0} minutes", asked.TotalMinutes);
        return $"asked to wait {words} before trying again, longer than the {MaxRetryAfter.TotalMinutes:0} minutes this client waits, so it was not retried";
    }

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (0 for the first). A Retry-After is kept, plus up to a tenth
    /// (at most a second) so that a crowd told the same time does not return at once. Otherwise the backoff doubles
    /// from the base delay up to the cap, and a random half of it is dropped, so that downloads and calls hit by one
    /// outage do not retry in step.
    /// </summary>
    public TimeSpan Delay(int retry, TimeSpan? retryAfter)
    {
        var jitter = _random();
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            return asked + TimeSpan.FromMilliseconds(jitter * Math.Min(1000, asked.TotalMilliseconds * 0.1));
        }
        var baseDelay = EmulatedTime.ProviderTime(_clock, _baseDelay);
        var maxDelay = EmulatedTime.ProviderTime(_clock, _maxDelay);
        var exponential = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 62)));
        return TimeSpan.FromMilliseconds(exponential * (0.5 + (jitter / 2)));
    }

    /// <summary>
    /// The retry pipeline: an outcome is tried again when <paramref name="shouldRetry"/> says so and the wait that
    /// <paramref name="retryAfter"/> reads from it is within <see cref="MaxRetryAfter"/>; the waits are <see cref="Delay"/>.
    /// Exceptions the callback throws are outcomes too, for <paramref name="shouldRetry"/> to judge.
    /// </summary>
    public ResiliencePipeline<T> Pipeline<T>(
        Func<ResilienceContext, Outcome<T>, bool> shouldRetry,
        Func<Outcome<T>, TimeSpan?> retryAfter,
        Func<OnRetryArguments<T>, ValueTask>? onRetry = null)
    {
        // Polly refuses a retry strategy of zero attempts, and no retries means one attempt: no strategy at all.
        if (_maxRetries < 1)
        {
            return ResiliencePipeline<T>.Empty;
        }
        return new ResiliencePipelineBuilder<T> { TimeProvider = _clock.Timers() }.AddRetry(new RetryStrategyOptions<T>
        {
            MaxRetryAttempts = _maxRetries,
            ShouldHandle = args => new ValueTask<bool>(!IsTooLong(retryAfter(args.Outcome)) && shouldRetry(args.Context, args.Outcome)),
            DelayGenerator = args => new ValueTask<TimeSpan?>(Delay(args.AttemptNumber, retryAfter(args.Outcome))),
            OnRetry = onRetry,
        }).Build();
    }
}
