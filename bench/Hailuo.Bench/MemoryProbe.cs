namespace Hailuo.Bench;

/// <summary>
/// The process's working set and GC heap, sampled on a timer from a settled baseline, so that what a
/// piece of work holds at its peak can be told from what the process held before it.
/// </summary>
public sealed class MemoryProbe : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakWorkingSet;
    private long _peakHeap;

    private MemoryProbe(TimeSpan period)
    {
        BaselineWorkingSet = _peakWorkingSet = Environment.WorkingSet;
        BaselineHeap = _peakHeap = GC.GetTotalMemory(false);
        BaselineAllocated = GC.GetTotalAllocatedBytes(precise: true);
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
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

    /// <summary>Collects first, so that the baseline is what the process really holds.</summary>
    public static MemoryProbe Start(TimeSpan? period = null)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new MemoryProbe(period ?? TimeSpan.FromMilliseconds(5));
    }

    public long BaselineWorkingSet { get; }

    public long BaselineHeap { get; }

    public long BaselineAllocated { get; }

    public long PeakWorkingSet => Interlocked.Read(ref _peakWorkingSet);

    public long PeakHeap => Interlocked.Read(ref _peakHeap);

    public long WorkingSetGrowth => PeakWorkingSet - BaselineWorkingSet;

    public long HeapGrowth => PeakHeap - BaselineHeap;

    /// <summary>Bytes allocated since the start: the GC's work, even when little of it is live at once.</summary>
    public long Allocated { get; private set; }

    private void Take()
    {
        Max(ref _peakWorkingSet, Environment.WorkingSet);
        Max(ref _peakHeap, GC.GetTotalMemory(false));
    }

    private static void Max(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        Take();
        Allocated = GC.GetTotalAllocatedBytes(precise: true) - BaselineAllocated;
        _stop.Dispose();
    }
}
