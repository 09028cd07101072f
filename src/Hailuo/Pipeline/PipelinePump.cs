using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Hailuo.Pipeline;

/// <summary>
/// Hands work from background tasks to the pipeline thread, as PSScriptAnalyzer's BlockingCollection
/// pump does: tasks post what they want written; only the pipeline thread drains and writes.
/// </summary>
public sealed class PipelinePump : IDisposable
{
    private readonly BlockingCollection<Action<ICommandOutput>> _queue = new(new ConcurrentQueue<Action<ICommandOutput>>());

    /// <summary>Queues output from any thread; once the command has ended, its background work's output goes nowhere.</summary>
    public void Post(Action<ICommandOutput> write)
    {
        try
        {
            _queue.Add(write);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The command ended (stopped, or failed) while work it started was still finishing.
        }
    }

    /// <summary>Wakes a <see cref="WaitUntil"/> to look at its condition again, when what changed is not output.</summary>
    public void Wake() => Post(static _ => { });

    /// <summary>Writes everything queued so far; never blocks.</summary>
    public void Drain(ICommandOutput output)
    {
        while (_queue.TryTake(out var write))
        {
            write(output);
        }
    }

    /// <summary>
    /// Writes queued output as it arrives until <paramref name="done"/> holds, calling
    /// <paramref name="tick"/> at least every <paramref name="interval"/> (for progress).
    /// </summary>
    public void WaitUntil(ICommandOutput output, Func<bool> done, TimeSpan interval, Action<ICommandOutput>? tick, CancellationToken cancellationToken)
    {
        // The wall clock: ticks pace output on the host's thread, not the provider's work.
        var nextTick = DateTime.UtcNow;
        while (true)
        {
            Drain(output);
            if (done())
            {
                Drain(output);
                return;
            }
            if (tick is not null && DateTime.UtcNow >= nextTick)
            {
                tick(output);
                nextTick = DateTime.UtcNow + interval;
            }
            if (_queue.TryTake(out var write, (int)Math.Max(1, interval.TotalMilliseconds), cancellationToken))
            {
                write(output);
            }
        }
    }

    public void Dispose() => _queue.Dispose();
}
