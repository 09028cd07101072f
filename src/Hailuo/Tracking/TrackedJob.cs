using System;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Models;

namespace Hailuo.Tracking;

/// <summary>
/// One job the <see cref="JobTracker"/> watches: its latest snapshot, what its reads so far found, and where it stands
/// in the tracker's schedule. Not thread-safe: the tracker changes it under its lock.
/// </summary>
internal sealed class TrackedJob
{
    public TrackedJob(HailuoJob job, IDisposable? lease, DateTimeOffset trackedAt)
    {
        Job = job;
        Lease = lease;
        TrackedAt = trackedAt;
        // A create time in the future (another clock) would put the first look off: the tracker's own clock rules.
        Created = job.CreatedAt is { } created && created < trackedAt ? created : trackedAt;
        FromStart = JobKind.Of(job, fromStart: true);
        FromCreate = JobKind.Of(job, fromStart: false);
    }

    /// <summary>Where this job's reads before the window fall on the ladder (see <see cref="ReadPlanner.SafetyGrowth"/>).</summary>
    public double Phase;

    public HailuoJob Job;
    public readonly IDisposable? Lease;
    public readonly DateTimeOffset TrackedAt;
    public readonly DateTimeOffset Created;
    public readonly JobKind FromStart;
    public readonly JobKind FromCreate;
    public readonly TaskCompletionSource<HailuoJob> Final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>
    /// The execution context of the caller that tracked the job last (null when it suppressed flow): the job's reads
    /// run in it, so that what they log (a retry, a read given up) goes where that caller's own lines go.
    /// </summary>
    public ExecutionContext? Context;
    /// <summary>When the job was last read; null before the first read.</summary>
    public DateTimeOffset? LastRead;
    /// <summary>When the slot it is expected to take freed, since a finish made it the first in the provider's queue; cleared by a read.</summary>
    public DateTimeOffset? WakeAt;
    public int Failures;
    public int Unreadable;
    public (DateTimeOffset Due, long Sequence, string Id)? Scheduled;
    public (DateTimeOffset Created, long Sequence, string Id)? QueuedSlot;
}
