using Hailuo.Models;

namespace Hailuo.Pipeline;

/// <summary>A job that command logic emits, with the row it came from.</summary>
public sealed class JobResult
{
    public JobResult(HailuoJob job, long index)
    {
        Job = job;
        Index = index;
    }

    public HailuoJob Job { get; }

    /// <summary>The row number (1-based) for New-HailuoVideo; carried along so {index} names files.</summary>
    public long Index { get; }
}
