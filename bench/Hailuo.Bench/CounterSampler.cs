using System.Diagnostics;

namespace Hailuo.Bench;

/// <summary>
/// Samples a growing counter on a timer, to find the busiest window afterwards: a provider's limit is
/// "so many a minute", so the peak over any minute is what hits it, not the average.
/// </summary>
public sealed class CounterSampler : IAsyncDisposable
{
    private readonly List<(double Seconds, long Value)> _samples = [];
    private readonly Func<long> _read;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public CounterSampler(Func<long> read, TimeSpan period)
    {
        _read = read;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
            Take();
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    Take();
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private void Take()
    {
        lock (_samples)
        {
            _samples.Add((_clock.Elapsed.TotalSeconds, _read()));
        }
    }

    /// <summary>The largest increase over any span of <paramref name="window"/> (real time).</summary>
    public long PeakOver(TimeSpan window)
    {
        List<(double Seconds, long Value)> samples;
        lock (_samples)
        {
            samples = [.. _samples];
        }
        long peak = 0;
        var first = 0;
        foreach (var (seconds, value) in samples)
        {
            while (samples[first].Seconds < seconds - window.TotalSeconds)
            {
                first++;
            }
            peak = Math.Max(peak, value - samples[first].Value);
        }
        return peak;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        Take();
        _stop.Dispose();
    }
}
