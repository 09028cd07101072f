using System;

namespace Hailuo.Tracking;

/// <summary>How the tracker spends status calls. Its times are the provider's: they pass at its pace (<see cref="EmulatedTime"/>).</summary>
public sealed class TrackerOptions
{
    /// <summary>The shortest gap between two polls of one job.</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The first read of a job, this long after its create; and of the oldest job waiting in the provider's queue, this
    /// long after a job before it finished. Soon enough that a refusal, which comes within seconds, is noticed within
    /// seconds, whatever the jobs are expected to take.
    /// </summary>
    public TimeSpan FirstLook { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// The gap between reads while a job may be finishing: bounds how late completion is noticed. Reading every Δ
    /// notices a completion at most Δ late, 0.95 Δ for 95 % of them: 4.5 s keeps that under a 5 s poller's 4.75 s.
    /// </summary>
    public TimeSpan DetectionInterval { get; set; } = TimeSpan.FromSeconds(4.5);

    /// <summary>
    /// The longest gap between reads of a job that is still queued at a provider that reports when jobs start
    /// (<see cref="StartTimesReported"/>): such a job is timed from its own start, so a look is needed only before it
    /// could have finished.
    /// </summary>
    public TimeSpan MaxQueuedInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest gap between reads of a job that runs longer than any recent job of its kind.</summary>
    public TimeSpan MaxOverdueInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Polls in flight at once; the provider's read limit paces them further.</summary>
    public int MaxParallelPolls { get; set; } = 16;

    /// <summary>
    /// The provider reports when a job started (Replicate's and core.today's started_at): a queued job is timed from
    /// its start, and a job that finished frees its slot for the oldest queued one. Elsewhere jobs are timed from the create.
    /// </summary>
    public bool StartTimesReported { get; set; }

    /// <summary>
    /// True while a submit waits for room among the jobs in flight. Every finish noticed then frees a slot for
    /// a job that is ready to go, so jobs due to finish are looked at twice as often (never under
    /// <see cref="MinInterval"/>); when nothing waits, the extra status calls would buy nothing.
    /// </summary>
    public Func<bool>? SlotsWanted { get; set; }
}
