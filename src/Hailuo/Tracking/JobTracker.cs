using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Models;

namespace Hailuo.Tracking;

/// <summary>A job changed status.</summary>
public sealed class JobTransitionEventArgs : EventArgs
{
    public JobTransitionEventArgs(HailuoJob job, JobStatus? previous)
    {
        Job = job;
        Previous = previous;
    }

    public HailuoJob Job { get; }

    /// <summary>The status before, or null for the first time the job was seen.</summary>
    public JobStatus? Previous { get; }
}

/// <summary>How the tracker spends status calls.</summary>
public sealed class TrackerOptions
{
    /// <summary>The shortest gap between two polls of one job.</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The gap between polls once a job is due to finish: bounds how late completion is noticed.</summary>
    public TimeSpan DetectionInterval { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// The longest gap between polls of a job that is still queued. Providers that report when a job
    /// started lose nothing by a late look; for the others the start is taken as the last moment the
    /// job was seen queued, which errs early.
    /// </summary>
    public TimeSpan MaxQueuedInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Polls in flight at once; the provider's read limit paces them further.</summary>
    public int MaxParallelPolls { get; set; } = 16;

    /// <summary>
    /// True while a submit waits for room among the jobs in flight. Every finish noticed then frees a slot for
    /// a job that is ready to go, so jobs due to finish are looked at twice as often (never under
    /// <see cref="MinInterval"/>); when nothing waits, the extra status calls would buy nothing.
    /// </summary>
    public Func<bool>? SlotsWanted { get; set; }

    /// <summary>Scales the intervals above and the expected durations, for the emulator's --time-scale.</summary>
    public double TimeScale { get; set; } = 1.0;
}

/// <summary>
/// Watches many jobs with one scheduler: each job is polled when it is due, not on a fixed beat.
/// The first poll comes when the job might have started; the next ones close in on when it is
/// expected to finish (learned from the jobs that finished before), then every
/// <see cref="TrackerOptions.DetectionInterval"/> until it does. A final job is never polled again.
/// </summary>
public sealed class JobTracker : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    // Jobs that finished recently, so a caller holding an old snapshot learns the outcome without a poll.
    private readonly Dictionary<string, HailuoJob> _finished = new(StringComparer.Ordinal);
    private readonly Queue<string> _finishedOrder = new();
    private const int FinishedMemory = 100_000;

    /// <summary>
    /// Status reads in a row (each after the transport's own retries) whose answers cannot be understood, after which
    /// a job is given up: a server that answers garbage or redirects forever must not hold a wait for ever.
    /// </summary>
    public const int MaxUnreadableReads = 10;
    private readonly SortedSet<(DateTimeOffset Due, long Sequence, string Id)> _schedule = new();
    private readonly Func<HailuoJob, CancellationToken, Task<HailuoJob>> _poll;
    private readonly TrackerOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<HailuoLogLevel, string>? _log;
    private readonly CancellationTokenSource _stop = new();
    // Completed whenever the schedule changes; replaced under the lock each time the loop looks, so a
    // change made after the loop computed its sleep always wakes it.
    private TaskCompletionSource<bool> _scheduleChanged = NewSignal();
    // One timer for the loop's sleeps, re-armed each turn: a Task.Delay, a linked token source and a WhenAny
    // per wake-up were most of what watching a job cost.
    private readonly Timer _wakeTimer;
    private readonly List<Entry> _due = new();
    private readonly SemaphoreSlim _parallel;
    private readonly Task _loop;
    private long _sequence;
    private int _totalPolls;

    private sealed class Entry
    {
        public Entry(HailuoJob job, IDisposable? lease, DateTimeOffset trackedAt)
        {
            Job = job;
            Lease = lease;
            TrackedAt = trackedAt;
        }

        public HailuoJob Job;
        public readonly IDisposable? Lease;
        public readonly DateTimeOffset TrackedAt;
        public readonly TaskCompletionSource<HailuoJob> Final = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>When the job was last known to be waiting: the earliest it can have started.</summary>
        public DateTimeOffset? LastSeenQueued;
        /// <summary>
        /// The estimated start where the provider gives none: the last moment it was seen queued, so
        /// that the estimate errs early and completion is not noticed late.
        /// </summary>
        public DateTimeOffset? FirstSeenRunning;
        public int Failures;
        public int Unreadable;
        public (DateTimeOffset Due, long Sequence, string Id)? Scheduled;
    }

    public JobTracker(
        Func<HailuoJob, CancellationToken, Task<HailuoJob>> poll,
        TrackerOptions? options = null,
        TimeProvider? time = null,
        Action<HailuoLogLevel, string>? log = null)
    {
        _poll = poll;
        _options = options ?? new TrackerOptions();
        _time = time ?? TimeProvider.System;
        _log = log;
        Durations = new DurationModel(_options.TimeScale);
        _parallel = new SemaphoreSlim(Math.Max(1, _options.MaxParallelPolls));
        _wakeTimer = new Timer(_ => WakeLoop(), null, Timeout.Infinite, Timeout.Infinite);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Raised on a background thread for every status change; handlers must hand off, not block.</summary>
    public event EventHandler<JobTransitionEventArgs>? Transitioned;

    public DurationModel Durations { get; }

    public int TotalPolls => Volatile.Read(ref _totalPolls);

    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
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
        Entry entry;
        lock (_gate)
        {
            if (_finished.TryGetValue(job.Id, out var final))
            {
                lease?.Dispose();
                return Task.FromResult(final);
            }
            if (_entries.TryGetValue(job.Id, out var existing))
            {
                lease?.Dispose();
                return existing.Final.Task;
            }
            entry = new Entry(job, lease, _time.GetUtcNow());
            entry.LastSeenQueued = job.CreatedAt ?? entry.TrackedAt;
            if (job.Status == JobStatus.Running)
            {
                entry.FirstSeenRunning = entry.LastSeenQueued;
            }
            _entries[job.Id] = entry;
            ScheduleLocked(entry, pollNow ? _time.GetUtcNow() : NextPoll(entry, _time.GetUtcNow()));
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
        // Task.Delay, not TimeProvider.Delay: the package's timer for netstandard2.0 can be collected before it fires.
        var delay = Task.Delay(timeout ?? Timeout.InfiniteTimeSpan, cts.Token);
        var first = await Task.WhenAny(final, delay).ConfigureAwait(false);
        cts.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        return first == final ? await final.ConfigureAwait(false) : Current(job.Id) ?? job;
    }

    public HailuoJob? Current(string id)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(id, out var e) ? e.Job : _finished.TryGetValue(id, out var final) ? final : null;
        }
    }

    /// <summary>Stops watching a job without waiting for it, releasing its lease.</summary>
    public void Forget(string id)
    {
        Entry? entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(id, out entry))
            {
                return;
            }
            RemoveLocked(entry);
        }
        entry.Lease?.Dispose();
        entry.Final.TrySetCanceled();
    }

    /// <summary>Tells the tracker what the caller learned elsewhere (a cancel, a refresh), so it need not poll for it.</summary>
    public void Observe(HailuoJob fresh) => Apply(fresh.Id, fresh, polled: false);

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
                while (_schedule.Count > 0 && _schedule.Min.Due <= now)
                {
                    var slot = _schedule.Min;
                    _schedule.Remove(slot);
                    if (_entries.TryGetValue(slot.Id, out var entry) && entry.Scheduled == slot)
                    {
                        entry.Scheduled = null;
                        _due.Add(entry);
                    }
                }
                wait = _schedule.Count > 0 ? _schedule.Min.Due - now : TimeSpan.FromMinutes(1);
            }
            if (_due.Count > 0)
            {
                try
                {
                    foreach (var entry in _due)
                    {
                        await _parallel.WaitAsync(token).ConfigureAwait(false);
                        _ = PollAsync(entry, token);
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
            _wakeTimer.Change((long)Math.Max(1, Math.Ceiling(wait.TotalMilliseconds)), Timeout.Infinite);
            await changed.ConfigureAwait(false);
        }
    }

    /// <summary>Ends the loop's sleep: the timer fired, the schedule has an earlier slot, or the tracker is stopping.</summary>
    private void WakeLoop() => Volatile.Read(ref _scheduleChanged).TrySetResult(true);

    private async Task PollAsync(Entry entry, CancellationToken token)
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
                giveUp = entry.Unreadable >= MaxUnreadableReads && _entries.ContainsKey(entry.Job.Id);
                var backoff = TimeSpan.FromTicks(Math.Min(_options.MaxQueuedInterval.Scaled(_options.TimeScale).Ticks,
                    _options.MinInterval.Scaled(_options.TimeScale).Ticks << Math.Min(failures, 10)));
                if (giveUp)
                {
                    RemoveLocked(entry);
                }
                else if (_entries.ContainsKey(entry.Job.Id))
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
    private void GiveUp(Entry entry, string why)
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
        Entry? entry;
        JobStatus previous;
        HailuoJob merged;
        lock (_gate)
        {
            if (!_entries.TryGetValue(id, out entry))
            {
                if (fresh.IsFinal)
                {
                    RememberLocked(fresh);
                }
                return;
            }
            previous = entry.Job.Status;
            merged = entry.Job.Merge(fresh);
            entry.Job = merged;
            var now = _time.GetUtcNow();
            if (merged.Status == JobStatus.Queued)
            {
                entry.LastSeenQueued = now;
            }
            else if (merged.Status == JobStatus.Running && entry.FirstSeenRunning is null)
            {
                entry.FirstSeenRunning = entry.LastSeenQueued ?? now;
            }
            if (merged.IsFinal)
            {
                RemoveLocked(entry);
                RememberLocked(merged);
                Learn(entry, merged, now);
            }
            else if (polled)
            {
                ScheduleLocked(entry, NextPoll(entry, now));
            }
        }
        if (merged.Status != previous)
        {
            Transitioned?.Invoke(this, new JobTransitionEventArgs(merged, previous));
        }
        if (merged.IsFinal)
        {
            entry.Lease?.Dispose();
            entry.Final.TrySetResult(merged);
        }
    }

    /// <summary>When to look next: the heart of spending few status calls without noticing late.</summary>
    private DateTimeOffset NextPoll(Entry entry, DateTimeOffset now)
    {
        var job = entry.Job;
        var request = job.Request;
        var (mean, sigma) = Durations.Estimate(job.Provider, request?.EffectiveResolution ?? VideoRequest.Resolution768, request?.EffectiveDuration ?? VideoRequest.DefaultDuration);
        var min = _options.MinInterval.Scaled(_options.TimeScale);
        var detect = _options.DetectionInterval.Scaled(_options.TimeScale);
        DateTimeOffset next;
        if (job.Status == JobStatus.Queued)
        {
            // Still waiting for a slot: look again now and then, never too often.
            var gap = TimeSpan.FromTicks(Math.Min(_options.MaxQueuedInterval.Scaled(_options.TimeScale).Ticks, mean.Ticks / 2));
            next = now + gap;
        }
        else
        {
            var started = job.StartedAt ?? entry.FirstSeenRunning ?? job.CreatedAt ?? entry.TrackedAt;
            var windowOpens = started + mean - sigma - sigma;
            var step = Math.Min(detect.Ticks, sigma.Ticks / 2);
            if (_options.SlotsWanted?.Invoke() == true)
            {
                step /= 2;
            }
            step = Math.Max(min.Ticks, step);
            next = now < windowOpens ? windowOpens : now + TimeSpan.FromTicks(step);
        }
        var earliest = now + min;
        return next < earliest ? earliest : next;
    }

    private void Learn(Entry entry, HailuoJob job, DateTimeOffset now)
    {
        if (job.Status != JobStatus.Succeeded)
        {
            return;
        }
        var started = job.StartedAt ?? entry.FirstSeenRunning;
        var completed = job.CompletedAt ?? now;
        if (started is { } s)
        {
            var request = job.Request;
            Durations.Observe(job.Provider, request?.EffectiveResolution ?? VideoRequest.Resolution768, request?.EffectiveDuration ?? VideoRequest.DefaultDuration, completed - s);
        }
    }

    private void RememberLocked(HailuoJob job)
    {
        if (!_finished.ContainsKey(job.Id))
        {
            _finishedOrder.Enqueue(job.Id);
        }
        _finished[job.Id] = job;
        while (_finishedOrder.Count > FinishedMemory)
        {
            _finished.Remove(_finishedOrder.Dequeue());
        }
    }

    private void ScheduleLocked(Entry entry, DateTimeOffset due)
    {
        if (entry.Scheduled is { } old)
        {
            _schedule.Remove(old);
        }
        var slot = (due, Interlocked.Increment(ref _sequence), entry.Job.Id);
        entry.Scheduled = slot;
        _schedule.Add(slot);
        // The loop sleeps until the earliest slot; only a new earliest one needs to wake it.
        if (_schedule.Min == slot)
        {
            _scheduleChanged.TrySetResult(true);
        }
    }

    private static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void RemoveLocked(Entry entry)
    {
        _entries.Remove(entry.Job.Id);
        if (entry.Scheduled is { } slot)
        {
            _schedule.Remove(slot);
            entry.Scheduled = null;
        }
    }

    public void Dispose()
    {
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
        List<Entry> left;
        lock (_gate)
        {
            left = new List<Entry>(_entries.Values);
            _entries.Clear();
            _schedule.Clear();
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
