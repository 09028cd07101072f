using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Models;

namespace Hailuo.Tracking;

/// <summary>
/// Watches many jobs with one scheduler: each job is read when it is due, not on a fixed beat. The first read comes
/// <see cref="TrackerOptions.FirstLook"/> after the create, in time to notice a refusal; the next ones skip the time
/// in which no job of its kind has finished lately (learned from finished jobs, see <see cref="DurationModel"/>), then
/// come every <see cref="TrackerOptions.DetectionInterval"/> until it finishes. A job that runs past every recent job
/// of its kind is read less and less often; one whose kind has too few finished jobs to go by is read at growing
/// gaps before the window too. A final job is never read again. One tracker serves every pipeline of an account
/// (src/Hailuo/SharedAccount.cs): each job is read in the execution context of the caller that tracked it last, never in that
/// of whoever started the loop, so what a read logs reaches that caller (src/Hailuo/Pipeline/EngineLog.cs).
/// </summary>
public sealed class JobTracker : IDisposable
{
    /// <summary>
    /// Status reads in a row (each after the transport's own retries) whose answers cannot be understood, after which
    /// a job is given up: a server that answers garbage or redirects forever must not hold a wait for ever.
    /// </summary>
    public const int MaxUnreadableReads = 10;

    private readonly object _gate = new();
    // The three below change only under _gate.
    private readonly ReadSchedule _jobs = new();
    private readonly RecentFinals _finished = new();
    private readonly ReadPlanner _planner;
    private readonly Func<HailuoJob, CancellationToken, Task<HailuoJob>> _poll;
    private readonly TrackerOptions _options;
    private readonly TimeProvider _time;
    // The clock, where it learns the provider's pace from its answers (the emulator's); else null.
    private readonly EmulatedTime? _paced;
    private int _teaching;
    private readonly Action<HailuoLogLevel, string>? _log;
    private readonly CancellationTokenSource _stop = new();
    // Completed whenever the schedule changes; replaced under the lock each time the loop looks, so a
    // change made after the loop computed its sleep always wakes it.
    private TaskCompletionSource<bool> _scheduleChanged = NewSignal();
    // One timer for the loop's sleeps, re-armed each turn: a Task.Delay, a linked token source and a WhenAny
    // per wake-up were most of what watching a job cost.
    private readonly ITimer _wakeTimer;
    private readonly List<TrackedJob> _due = new();
    private readonly SemaphoreSlim _parallel;
    private readonly Task _loop;
    private int _totalPolls;

    public JobTracker(
        Func<HailuoJob, CancellationToken, Task<HailuoJob>> poll,
        TrackerOptions? options = null,
        TimeProvider? time = null,
        Action<HailuoLogLevel, string>? log = null)
        : this(poll, options, time, log, runLoop: true)
    {
    }

    /// <summary>
    /// <paramref name="runLoop"/> false leaves the reads to <see cref="PollDueAsync"/>, so that a test can run many jobs
    /// on a clock of its own, step by step, through the same scheduling.
    /// </summary>
    internal JobTracker(
        Func<HailuoJob, CancellationToken, Task<HailuoJob>> poll,
        TrackerOptions? options,
        TimeProvider? time,
        Action<HailuoLogLevel, string>? log,
        bool runLoop)
    {
        _poll = poll;
        _options = options ?? new TrackerOptions();
        _time = time ?? TimeProvider.System;
        _paced = _time as EmulatedTime;
        if (_paced is not null)
        {
            _paced.PaceChanged += OnPaceChanged;
        }
        _log = log;
        _planner = new ReadPlanner(_options, _time);
        _parallel = new SemaphoreSlim(Math.Max(1, _options.MaxParallelPolls));
        // The loop and its timer serve every job, whoever tracked the first one: they start without the caller's
        // execution context (and so without its log route), and each read runs in its own job's (PollInContextAsync).
        var flow = ExecutionContext.IsFlowSuppressed() ? default(AsyncFlowControl?) : ExecutionContext.SuppressFlow();
        try
        {
            // Held in a field for the tracker's life, so that the timer cannot be collected while it is armed.
            _wakeTimer = _time.CreateTimer(_ => WakeLoop(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _loop = runLoop ? Task.Run(RunAsync) : Task.CompletedTask;
        }
        finally
        {
            flow?.Undo();
        }
    }

    /// <summary>What the tracker knows of how long jobs take; seeded from the ledger, refined by every job that succeeds.</summary>
    public DurationModel Durations => _planner.Durations;

    public int TotalPolls => Volatile.Read(ref _totalPolls);

    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _jobs.Count;
            }
        }
    }

    /// <summary>
    /// Starts watching a job (again tracking the same id is harmless). <paramref name="lease"/>, if
    /// given, is released when the job is final: the client's cap on jobs in flight.
    /// </summary>
    public Task<HailuoJob> Track(HailuoJob job, IDisposable? lease = null, bool pollNow = false)
    {
        if (job.IsFinal)
        {
            lease?.Dispose();
            return Task.FromResult(job);
        }
        TrackedJob entry;
        lock (_gate)
        {
            if (_finished.TryGet(job.Id, out var final))
            {
                lease?.Dispose();
                return Task.FromResult(final);
            }
            if (_jobs.TryGet(job.Id, out var existing))
            {
                lease?.Dispose();
                // The caller that waits for it now hears about its reads from here on.
                existing.Context = ExecutionContext.Capture() ?? existing.Context;
                return existing.Final.Task;
            }
            var now = _time.GetUtcNow();
            entry = new TrackedJob(job, lease, now) { Phase = _planner.NextPhase(), Context = ExecutionContext.Capture() };
            _jobs.Add(entry);
            _jobs.SetQueued(entry, _planner.WaitsForStart(job));
            // Until the provider has answered, its pace is not known (a new process resuming jobs from the ledger): the
            // first job is read at once, and the pace its answer names plans every job again (OnPaceChanged).
            var teaches = _paced is { Heard: false } && Interlocked.Exchange(ref _teaching, 1) == 0;
            ScheduleLocked(entry, pollNow || teaches ? now : _planner.NextRead(entry, now));
        }
        return entry.Final.Task;
    }

    /// <summary>The final job, or the latest snapshot when <paramref name="timeout"/> passes first.</summary>
    public async Task<HailuoJob> WaitAsync(HailuoJob job, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var final = Track(job);
        if (final.IsCompleted)
        {
            return await final.ConfigureAwait(false);
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = _time.Wait(timeout ?? Timeout.InfiniteTimeSpan, cts.Token);
        var first = await Task.WhenAny(final, delay).ConfigureAwait(false);
        cts.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        return first == final ? await final.ConfigureAwait(false) : Current(job.Id) ?? job;
    }

    public HailuoJob? Current(string id)
    {
        lock (_gate)
        {
            return _jobs.TryGet(id, out var e) ? e.Job : _finished.TryGet(id, out var final) ? final : null;
        }
    }

    /// <summary>When a job is expected to be done, from what is known of its kind; null once it runs past that.</summary>
    public DateTimeOffset? ExpectedFinish(HailuoJob job) => _planner.ExpectedFinish(job);

    /// <summary>Stops watching a job without waiting for it, releasing its lease.</summary>
    public void Forget(string id)
    {
        TrackedJob? entry;
        lock (_gate)
        {
            if (!_jobs.TryGet(id, out entry))
            {
                return;
            }
            _jobs.Remove(entry);
        }
        entry.Lease?.Dispose();
        entry.Final.TrySetCanceled();
    }

    /// <summary>Tells the tracker what the caller learned elsewhere (a cancel, a refresh), so it need not poll for it.</summary>
    public void Observe(HailuoJob fresh) => Apply(fresh.Id, fresh, polled: false);

    /// <summary>The earliest read scheduled, for a test that runs the tracker on its own clock.</summary>
    internal DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _jobs.NextDue;
            }
        }
    }

    /// <summary>Makes every read that is due by the clock, one after another: what the loop does, for a test's own clock.</summary>
    internal async Task PollDueAsync(CancellationToken cancellationToken = default)
    {
        var due = new List<TrackedJob>();
        lock (_gate)
        {
            _jobs.TakeDue(_time.GetUtcNow(), due);
        }
        foreach (var entry in due)
        {
            await _parallel.WaitAsync(cancellationToken).ConfigureAwait(false);
            await PollInContextAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            TimeSpan wait;
            Task changed;
            lock (_gate)
            {
                if (token.IsCancellationRequested)
                {
                    return; // checked under the lock that Dispose signals under, so no sleep can start after it
                }
                _scheduleChanged = NewSignal();
                changed = _scheduleChanged.Task;
                var now = _time.GetUtcNow();
                _jobs.TakeDue(now, _due);
                wait = _jobs.NextDue is { } next ? next - now : TimeSpan.FromMinutes(1);
            }
            if (_due.Count > 0)
            {
                try
                {
                    foreach (var entry in _due)
                    {
                        await _parallel.WaitAsync(token).ConfigureAwait(false);
                        _ = PollInContextAsync(entry, token);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                finally
                {
                    _due.Clear();
                }
                continue;
            }
            // Rounded up to a whole millisecond: the timer rounds down, and a wait under 1 ms would spin this
            // loop until the poll is due.
            _wakeTimer.Change(TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait.TotalMilliseconds))), Timeout.InfiniteTimeSpan);
            await changed.ConfigureAwait(false);
        }
    }

    /// <summary>Ends the loop's sleep: the timer fired, the schedule has an earlier slot, or the tracker is stopping.</summary>
    private void WakeLoop() => Volatile.Read(ref _scheduleChanged).TrySetResult(true);

    /// <summary>Reads a job in the execution context of the caller that tracked it last (see <see cref="TrackedJob.Context"/>).</summary>
    private Task PollInContextAsync(TrackedJob entry, CancellationToken token)
    {
        ExecutionContext? context;
        lock (_gate)
        {
            context = entry.Context;
        }
        if (context is null)
        {
            return PollAsync(entry, token);
        }
        Task? poll = null;
        // A copy each time: .NET Framework (Windows PowerShell) runs a captured context only once.
        ExecutionContext.Run(context.CreateCopy(), _ => poll = PollAsync(entry, token), null);
        return poll!;
    }

    private async Task PollAsync(TrackedJob entry, CancellationToken token)
    {
        try
        {
            HailuoJob snapshot;
            lock (_gate)
            {
                snapshot = entry.Job;
            }
            Interlocked.Increment(ref _totalPolls);
            var fresh = await _poll(snapshot, token).ConfigureAwait(false);
            lock (_gate)
            {
                entry.Failures = 0;
                entry.Unreadable = 0;
            }
            Apply(entry.Job.Id, fresh, polled: true);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (HailuoException e) when (!e.Error.IsRetryable)
        {
            // The job is gone or the key no longer works: nothing a later poll can mend.
            Apply(entry.Job.Id, entry.Job.With(status: JobStatus.Failed, error: e.Error), polled: true);
        }
        catch (Exception e)
        {
            int failures;
            bool giveUp;
            lock (_gate)
            {
                failures = ++entry.Failures;
                entry.Unreadable = e is HailuoException { Error.Kind: HailuoErrorKind.Protocol } ? entry.Unreadable + 1 : 0;
                giveUp = entry.Unreadable >= MaxUnreadableReads && _jobs.Contains(entry.Job.Id);
                var backoff = _planner.AfterFailures(failures);
                if (giveUp)
                {
                    _jobs.Remove(entry);
                }
                else if (_jobs.Contains(entry.Job.Id))
                {
                    ScheduleLocked(entry, _time.GetUtcNow() + backoff);
                }
            }
            if (giveUp)
            {
                GiveUp(entry, e.Message);
                return;
            }
            _log?.Invoke(HailuoLogLevel.Verbose, $"Status of {entry.Job.Id} could not be read ({e.Message}); trying again.");
        }
        finally
        {
            _parallel.Release();
        }
    }

    /// <summary>
    /// Ends the wait for a job whose status cannot be read. Reported as failed so that callers stop, but not remembered
    /// as final: the job may still finish, and a later wait or a re-run of the batch reads it afresh.
    /// </summary>
    private void GiveUp(TrackedJob entry, string why)
    {
        var job = entry.Job;
        entry.Lease?.Dispose();
        entry.Final.TrySetResult(job.With(status: JobStatus.Failed, error: new HailuoError(HailuoErrorKind.Protocol,
            $"The status of job {job.Id} could not be read {MaxUnreadableReads} times in a row; the last answer: {why} The job may still finish at {job.Provider}.",
            remedy: HailuoRemedy.LookAgainLater)));
        _log?.Invoke(HailuoLogLevel.Warning, $"Gave up waiting for {job.Id}: its status could not be read {MaxUnreadableReads} times in a row ({why}).");
    }

    private void Apply(string id, HailuoJob fresh, bool polled)
    {
        TrackedJob? entry;
        HailuoJob merged;
        lock (_gate)
        {
            if (!_jobs.TryGet(id, out entry))
            {
                if (fresh.IsFinal)
                {
                    _finished.Remember(fresh);
                }
                return;
            }
            merged = entry.Job.Merge(fresh);
            entry.Job = merged;
            var now = _time.GetUtcNow();
            if (polled)
            {
                entry.LastRead = now;
                entry.WakeAt = null;
            }
            if (merged.IsFinal)
            {
                _jobs.Remove(entry);
                _finished.Remember(merged);
                if (_planner.Learn(entry, merged, now, out var kind))
                {
                    // Its kind's window moved: the jobs planned by it may be due sooner.
                    ReplanSoonerLocked(now, other => _planner.PlannedKind(other).Equals(kind));
                }
                WakeFirstQueuedLocked(merged, now);
            }
            else
            {
                _jobs.SetQueued(entry, _planner.WaitsForStart(merged));
                if (polled)
                {
                    ScheduleLocked(entry, _planner.NextRead(entry, now));
                }
            }
        }
        if (merged.IsFinal)
        {
            entry.Lease?.Dispose();
            entry.Final.TrySetResult(merged);
        }
    }

    /// <summary>The provider named another pace: every job planned at the old one may be due sooner.</summary>
    private void OnPaceChanged()
    {
        lock (_gate)
        {
            ReplanSoonerLocked(_time.GetUtcNow(), _ => true);
        }
    }

    /// <summary>Plans again the jobs <paramref name="which"/> picks, where what is known now makes them due sooner.</summary>
    private void ReplanSoonerLocked(DateTimeOffset now, Func<TrackedJob, bool> which)
    {
        foreach (var other in _jobs.Jobs)
        {
            if (other.Scheduled is { } slot && which(other))
            {
                var due = _planner.NextRead(other, now);
                if (due < slot.Due)
                {
                    ScheduleLocked(other, due);
                }
            }
        }
    }

    /// <summary>
    /// A job finished, so the provider starts the next one in its queue: the oldest job of ours that waits is read
    /// <see cref="TrackerOptions.FirstLook"/> after that finish, as a new job is after its create.
    /// </summary>
    private void WakeFirstQueuedLocked(HailuoJob finished, DateTimeOffset now)
    {
        var freed = finished.CompletedAt is { } at && at < now ? at : now;
        foreach (var entry in _jobs.WakeQueued(freed))
        {
            ScheduleLocked(entry, _planner.NextReadAfterSlotFreed(entry, entry.WakeAt!.Value, now));
        }
    }

    private void ScheduleLocked(TrackedJob entry, DateTimeOffset due)
    {
        // The loop sleeps until the earliest slot; only a new earliest one needs to wake it.
        if (_jobs.Schedule(entry, due))
        {
            _scheduleChanged.TrySetResult(true);
        }
    }

    private static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        if (_paced is not null)
        {
            _paced.PaceChanged -= OnPaceChanged;
        }
        _stop.Cancel();
        lock (_gate)
        {
            _scheduleChanged.TrySetResult(true);
        }
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        List<TrackedJob> left;
        lock (_gate)
        {
            left = _jobs.Clear();
        }
        foreach (var entry in left)
        {
            entry.Lease?.Dispose();
            entry.Final.TrySetCanceled();
        }
        _wakeTimer.Dispose();
        _stop.Dispose();
    }
}
