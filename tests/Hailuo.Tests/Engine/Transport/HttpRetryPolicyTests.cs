using System.Net;
using Hailuo.Transport;
using Polly;

namespace Hailuo.Tests.Engine.Transport;

/// <summary>
/// The one retry policy of API calls and downloads: Retry-After in both forms and its cap, backoff with jitter in
/// its bounds, and the pipeline that applies them. No test waits: the policy's wait hook records each wait instead.
/// </summary>
public sealed class HttpRetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage WithRetryAfter(string? value)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        if (value is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", value);
        }
        return response;
    }

    [Fact]
    public void Retry_After_in_seconds_is_that_many_seconds()
    {
        using var response = WithRetryAfter("120");

        Assert.Equal(TimeSpan.FromSeconds(120), HttpRetryPolicy.RetryAfter(response.Headers, Now));
    }

    [Fact]
    public void Retry_After_as_an_HTTP_date_is_the_time_until_then()
    {
        using var response = WithRetryAfter("Sat, 01 Mar 2025 12:01:30 GMT");

        Assert.Equal(TimeSpan.FromSeconds(90), HttpRetryPolicy.RetryAfter(response.Headers, Now));
    }

    [Fact]
    public void Retry_After_as_a_date_already_past_is_no_wait_and_no_header_is_none()
    {
        using var past = WithRetryAfter("Sat, 01 Mar 2025 11:00:00 GMT");
        using var none = WithRetryAfter(null);

        Assert.Equal(TimeSpan.Zero, HttpRetryPolicy.RetryAfter(past.Headers, Now));
        Assert.Null(HttpRetryPolicy.RetryAfter(none.Headers, Now));
    }

    [Fact]
    public void The_cap_is_ten_minutes_and_a_longer_wait_is_worded_for_the_user()
    {
        Assert.Equal(TimeSpan.FromMinutes(10), HttpRetryPolicy.MaxRetryAfter);
        Assert.False(HttpRetryPolicy.IsTooLong(null));
        Assert.False(HttpRetryPolicy.IsTooLong(TimeSpan.FromMinutes(10)));
        Assert.True(HttpRetryPolicy.IsTooLong(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1)));
        Assert.Equal("asked to wait 60 minutes before trying again, longer than the 10 minutes this client waits, so it was not retried",
            HttpRetryPolicy.WaitRefused(TimeSpan.FromHours(1)));
        Assert.StartsWith("asked to wait 11,574 days", HttpRetryPolicy.WaitRefused(TimeSpan.FromSeconds(999999999)));
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(416, false)]
    public void Only_408_429_and_5xx_are_transient(int status, bool transient) =>
        Assert.Equal(transient, HttpRetryPolicy.IsTransientStatus(status));

    [Fact]
    public void Faults_of_the_connection_are_told_from_other_errors()
    {
        Assert.True(HttpRetryPolicy.IsConnectionFault(new HttpRequestException("refused")));
        Assert.True(HttpRetryPolicy.IsConnectionFault(new IOException("reset")));
        Assert.True(HttpRetryPolicy.IsConnectionFault(new System.Net.Sockets.SocketException()));
        Assert.False(HttpRetryPolicy.IsConnectionFault(new InvalidOperationException()));
        Assert.False(HttpRetryPolicy.IsConnectionFault(new OperationCanceledException()));
    }

    [Theory]
    [InlineData(0, 100, 200)]
    [InlineData(1, 200, 400)]
    [InlineData(3, 800, 1600)]
    [InlineData(6, 5000, 10000)]
    [InlineData(200, 5000, 10000)]
    public void Backoff_doubles_to_its_cap_and_keeps_between_half_and_all_of_it(int retry, double lowest, double highest)
    {
        var least = new HttpRetryPolicy(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), random: () => 0);
        var most = new HttpRetryPolicy(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), random: () => 1);
        var real = new HttpRetryPolicy(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromMilliseconds(lowest), least.Delay(retry, null));
        Assert.Equal(TimeSpan.FromMilliseconds(highest), most.Delay(retry, null));
        var samples = Enumerable.Range(0, 500).Select(_ => real.Delay(retry, null).TotalMilliseconds).ToList();
        Assert.All(samples, ms => Assert.InRange(ms, lowest, highest));
        // Jittered: a crowd of retries does not all come back at one instant.
        Assert.True(samples.Distinct().Count() > 100);
    }

    [Theory]
    [InlineData(5, 5000, 5500)]
    [InlineData(120, 120000, 121000)]
    [InlineData(0.2, 200, 220)]
    public void A_Retry_After_is_kept_plus_at_most_a_tenth_or_a_second(double seconds, double lowest, double highest)
    {
        var asked = TimeSpan.FromSeconds(seconds);
        var least = new HttpRetryPolicy(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), random: () => 0);
        var most = new HttpRetryPolicy(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), random: () => 1);

        Assert.Equal(TimeSpan.FromMilliseconds(lowest), least.Delay(4, asked));
        Assert.Equal(TimeSpan.FromMilliseconds(highest), most.Delay(4, asked));
    }

    [Fact]
    public void A_Retry_After_of_zero_falls_back_to_the_backoff()
    {
        var policy = new HttpRetryPolicy(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), random: () => 0);

        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.Delay(0, TimeSpan.Zero));
    }

    /// <summary>A pipeline over int results, where a result is the Retry-After in seconds it carries (0: none, -1: success).</summary>
    private static (ResiliencePipeline<int> Pipeline, IReadOnlyCollection<TimeSpan> Waits) Pipeline(int maxRetries)
    {
        var clock = new InstantClock();
        var policy = new HttpRetryPolicy(maxRetries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), clock, random: () => 0);
        var pipeline = policy.Pipeline<int>((_, outcome) => outcome.Exception is null && outcome.Result >= 0,
            outcome => outcome.Result > 0 ? TimeSpan.FromSeconds(outcome.Result) : null);
        return (pipeline, clock.Waits);
    }

    [Fact]
    public void The_pipeline_retries_up_to_its_limit_waiting_the_backoff_between()
    {
        var (pipeline, waits) = Pipeline(3);
        var calls = 0;

        var last = pipeline.Execute(() =>
        {
            calls++;
            return 0;
        });

        Assert.Equal(0, last);
        Assert.Equal(4, calls);
        Assert.Equal([100, 200, 400], waits.Select(w => w.TotalMilliseconds));
    }

    [Fact]
    public void The_pipeline_waits_a_Retry_After_up_to_the_cap_and_gives_up_at_once_beyond_it()
    {
        var (pipeline, waits) = Pipeline(3);
        var answers = new Queue<int>([600, 601, -1]);
        var calls = 0;

        var last = pipeline.Execute(() =>
        {
            calls++;
            return answers.Dequeue();
        });

        Assert.Equal(601, last);
        Assert.Equal(2, calls);
        Assert.Equal([TimeSpan.FromMinutes(10)], waits);
    }

    [Fact]
    public void Without_retries_the_pipeline_tries_once_and_an_exception_not_judged_passing_is_thrown()
    {
        var (once, waits) = Pipeline(0);
        var calls = 0;
        once.Execute(() =>
        {
            calls++;
            return 0;
        });
        var (retrying, _) = Pipeline(3);
        var thrown = 0;

        Assert.Throws<InvalidOperationException>(() => retrying.Execute<int>(() =>
        {
            thrown++;
            throw new InvalidOperationException("final");
        }));

        Assert.Equal(1, calls);
        Assert.Empty(waits);
        Assert.Equal(1, thrown);
    }
}
