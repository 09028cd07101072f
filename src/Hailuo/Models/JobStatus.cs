namespace Hailuo.Models;

/// <summary>One status model over every provider's own words for it.</summary>
public enum JobStatus
{
    /// <summary>Accepted, waiting for a slot (pending, starting, Preparing, Queueing, queued).</summary>
    Queued,
    /// <summary>Generating (processing, Processing, running).</summary>
    Running,
    /// <summary>Done, with a video (completed, succeeded, Success).</summary>
    Succeeded,
    /// <summary>Ended without a video; <see cref="HailuoJob.Error"/> says why.</summary>
    Failed,
    /// <summary>Cancelled before it finished.</summary>
    Canceled,
}

public static class JobStatusExtensions
{
    public static bool IsFinal(this JobStatus status) =>
        status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Canceled;
}
