using System;
using Hailuo.Models;

namespace Hailuo.Tracking;

/// <summary>
/// Decides when the <see cref="JobTracker"/> reads each job, from the options and from what finished jobs taught the
/// <see cref="DurationModel"/>: the heart of spending few status calls without noticing late. Its times are the
/// provider's (<see cref="EmulatedTime"/>). Its phase counter changes under the tracker's lock; <see cref="DurationModel"/> guards itself.
/// </summary>
internal sealed class ReadPlanner
{
    /// <summary>
    /// Before the window opens, a job is read at ages <see cref="TrackerOptions.FirstLook"/> × 4^(i + φ), each job with
    /// its own φ in [0, 1): a provider that suddenly got faster is noticed soon after its first job finishes, by
    /// whichever job's read comes next, and then every job is planned again. Staggered, a batch's reads of that kind
    /// come every few seconds between them, not all at once.
    /// </summary>
    internal const double SafetyGrowth = 4;

    // Spreads the phases of successive jobs evenly (the golden ratio's fraction).
    private const double PhaseStep = 0.6180339887498949;

    /// <summary>Past the latest finish of an untrusted estimate, the gap between reads grows by this share of the time overdue.</summary>
    private const double OverdueShare = 0.2;

    private readonly TrackerOptions _options;
    private readonly TimeProvider _time;
    private long _tracked;

    public ReadPlanner(TrackerOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        Durations = new DurationModel(time);
    }

    /// <summary>What is known of how long jobs take; seeded from the ledger, refined by every job that succeeds.</summary>
    public DurationModel Durations { get; }

    // The options' times, at the provider's pace: read at each use, since the clock may learn the pace from an answer.
    public TimeSpan MinInterval => EmulatedTime.ProviderTime(_time, _options.MinInterval);

    public TimeSpan FirstLook => EmulatedTime.ProviderTime(_time, _options.FirstLook);

    private TimeSpan DetectionInterval => EmulatedTime.ProviderTime(_time, _options.DetectionInterval);

    private TimeSpan MaxQueuedInterval => EmulatedTime.ProviderTime(_time, _options.MaxQueuedInterval);

    private TimeSpan MaxOverdueInterval => EmulatedTime.ProviderTime(_time, _options.MaxOverdueInterval);

    /// <summary>The next job's place on the ladder of reads before the window (see <see cref="SafetyGrowth"/>).</summary>
    public double NextPhase() => (++_tracked * PhaseStep) % 1;

    /// <summary>Whether a job waits in the queue of a provider that will say when it starts: timed from then, not from now.</summary>
    public bool WaitsForStart(HailuoJob job) => _options.StartTimesReported && job.StartedAt is null && job.Status == JobStatus.Queued;

    /// <summary>When to read a job next, after the last read (or tracking) and as of <paramref name="now"/>.</summary>
    public DateTimeOffset NextRead(TrackedJob entry, DateTimeOffset now)
    {
        var job = entry.Job;
        var lastRead = entry.LastRead ?? entry.TrackedAt;
        var min = MinInterval;
        var look = FirstLook;
        var step = DetectionInterval;
        DateTimeOffset next;
        if (WaitsForStart(job))
        {
            // It will be timed from its own start, so a look is needed only before it could have finished; where the
            // content filter refuses jobs of its kind, soon enough after its start to notice a refusal as a new job's first look would.
            var estimate = Durations.Estimate(entry.FromStart);
            var gap = Clamp(estimate.Low + step, step, MaxQueuedInterval);
            next = lastRead + (estimate.Refusals && gap > look ? look : gap);
        }
        else
        {
            var fromStart = job.StartedAt is not null;
            var estimate = Durations.Estimate(fromStart ? entry.FromStart : entry.FromCreate);
            var origin = job.StartedAt is { } started && started < lastRead ? started : fromStart ? lastRead : entry.Created;
            var age = lastRead - origin;
            var opens = origin + estimate.Low;
            if (age > estimate.High && !estimate.Trusted)
            {
                // Longer than the published range or the few jobs seen: they are no guide, so read less and less often
                // until jobs of its kind finish. (Past a trusted estimate the provider is slowing down: read on.)
                next = lastRead + Clamp(TimeSpan.FromTicks((long)((age - estimate.High).Ticks * OverdueShare)), step, MaxOverdueInterval);
            }
            else
            {
                if (_options.SlotsWanted?.Invoke() == true)
                {
                    step = TimeSpan.FromTicks(Math.Max(min.Ticks, step.Ticks / 2));
                }
                // No job of its kind has finished before `opens` lately: the first read that can find it done is one step after.
                next = (lastRead > opens ? lastRead : opens) + step;
                if (entry.LastRead is not null && lastRead < opens)
                {
                    // The provider may have got faster since: a read at growing gaps finds out, and its finish replans every job.
                    var safety = origin + SafetyAge(entry, age + min);
                    next = safety < opens - step && safety < next ? safety : next;
                }
            }
            if (fromStart && lastRead < origin + look)
            {
                // A job that waited in the queue is looked at as soon after its start as a new one after its create.
                var firstLook = origin + look;
                next = firstLook < next ? firstLook : next;
            }
        }
        if (entry.LastRead is null)
        {
            var firstLook = entry.Created + look;
            next = firstLook < next ? firstLook : next;
        }
        var earliest = Max(now, lastRead + min);
        return next < earliest ? earliest : next;
    }

    /// <summary>
    /// When to read a job that the provider is expected to have started at <paramref name="freedAt"/>, when a slot
    /// freed: <see cref="TrackerOptions.FirstLook"/> after that, as a new job is after its create, unless planned sooner.
    /// </summary>
    public DateTimeOffset NextReadAfterSlotFreed(TrackedJob entry, DateTimeOffset freedAt, DateTimeOffset now)
    {
        var due = Max(freedAt + FirstLook, now + MinInterval);
        var planned = NextRead(entry, now);
        return due < planned ? due : planned;
    }

    /// <summary>The gap before a job is read again after <paramref name="failures"/> failed reads in a row.</summary>
    public TimeSpan AfterFailures(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxQueuedInterval.Ticks, MinInterval.Ticks << Math.Min(failures, 10)));

    /// <summary>
    /// Learns from a final job: a refusal, or how long a job that succeeded took. True when that moved the window of
    /// <paramref name="kind"/>, so that the jobs planned by it (<see cref="PlannedKind"/>) may be due sooner.
    /// </summary>
    public bool Learn(TrackedJob entry, HailuoJob job, DateTimeOffset now, out JobKind kind)
    {
        var fromStart = job.StartedAt is not null;
        kind = fromStart ? entry.FromStart : entry.FromCreate;
        if (job.Error?.Kind == HailuoErrorKind.ContentFiltered)
        {
            Durations.ObserveRefusal(kind);
            return false;
        }
        if (job.Status != JobStatus.Succeeded)
        {
            return false;
        }
        var origin = job.StartedAt ?? job.CreatedAt ?? entry.Created;
        return Durations.Observe(kind, (job.CompletedAt ?? now) - origin);
    }

    /// <summary>The kind whose estimate a job's next read is planned by.</summary>
    public JobKind PlannedKind(TrackedJob entry) =>
        entry.Job.StartedAt is not null || WaitsForStart(entry.Job) ? entry.FromStart : entry.FromCreate;

    /// <summary>When a job is expected to be done, from what is known of its kind; null once it runs past that.</summary>
    public DateTimeOffset? ExpectedFinish(HailuoJob job)
    {
        var fromStart = job.StartedAt is not null;
        var estimate = Durations.Estimate(JobKind.Of(job, fromStart));
        var origin = job.StartedAt ?? job.CreatedAt ?? _time.GetUtcNow();
        // The middle of the window, in ratio: durations spread by factors.
        var typical = TimeSpan.FromSeconds(Math.Sqrt(estimate.Low.TotalSeconds * estimate.High.TotalSeconds));
        var end = origin + typical;
        return end > _time.GetUtcNow() ? end : null;
    }

    /// <summary>The first age on this job's ladder of reads before the window that is past <paramref name="age"/>.</summary>
    private TimeSpan SafetyAge(TrackedJob entry, TimeSpan age)
    {
        var first = FirstLook.TotalSeconds;
        var rung = Math.Max(0, Math.Ceiling((Math.Log(Math.Max(age.TotalSeconds, first) / first) / Math.Log(SafetyGrowth)) - entry.Phase));
        var seconds = first * Math.Pow(SafetyGrowth, rung + entry.Phase);
        return TimeSpan.FromSeconds(seconds > age.TotalSeconds ? seconds : seconds * SafetyGrowth);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
