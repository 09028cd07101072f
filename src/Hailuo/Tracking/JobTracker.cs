using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Models;

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
    /// Before the window opens, a job is read at ages <see cref="TrackerOptions.FirstLook"/> × 4^(i + φ), each job with
    /// its own φ in [0, 1): a provider that suddenly got faster is noticed soon after its first job finishes, by
    /// whichever job's read comes next, and then every job is planned again. Staggered, a batch's reads of that kind
    /// come every few seconds between them, not all at once.
    /// </summary>
    private const double SafetyGrowth = 4;

    // Spreads the phases of successive jobs evenly (the golden ratio's fraction).
    private const double PhaseStep = 0.6180339887498949;

    /// <summary>Past the latest finish of an untrusted estimate, the gap between reads grows by this share of the time overdue.</summary>
    private const double OverdueShare = 0.2;

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
    // Jobs waiting in the provider's queue, oldest create first: a finish frees a slot for the first of them.
    private readonly SortedSet<(DateTimeOffset Created, long Sequence, string Id)> _queued = new();
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
    private readonly List<Entry> _due = new();
    private readonly SemaphoreSlim _parallel;
    private readonly Task _loop;
    private long _sequence;
    private long _tracked;
    private int _totalPolls;

    private sealed class Entry
    {
        public Entry(HailuoJob job, IDisposable? lease, DateTimeOffset trackedAt)
        {
            Job = job;
            Lease = lease;
            TrackedAt = trackedAt;
            // A create time in the future (another clock) would put the first look off: the tracker's own clock rules.
            Created = job.CreatedAt is { } created && created < trackedAt ? created : trackedAt;
            FromStart = JobKind.Of(job, fromStart: true);
            FromCreate = JobKind.Of(job, fromStart: false);
        }

        /// <summary>Where this job's reads before the window fall on the ladder (see <see cref="SafetyGrowth"/>).</summary>
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
        Durations = new DurationModel(_time);
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

    // The options' times, at the provider's pace: read at each use, since the clock may learn the pace from an answer.
    private TimeSpan MinInterval => EmulatedTime.ProviderTime(_time, _options.MinInterval);

    private TimeSpan FirstLook => EmulatedTime.ProviderTime(_time, _options.FirstLook);

    private TimeSpan DetectionInterval => EmulatedTime.ProviderTime(_time, _options.DetectionInterval);

    private TimeSpan MaxQueuedInterval => EmulatedTime.ProviderTime(_time, _options.MaxQueuedInterval);

    private TimeSpan MaxOverdueInterval => EmulatedTime.ProviderTime(_time, _options.MaxOverdueInterval);

    /// <summary>What the tracker knows of how long jobs take; seeded from the ledger, refined by every job that succeeds.</summary>
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
                // The caller that waits for it now hears about its reads from here on.
                existing.Context = ExecutionContext.Capture() ?? existing.Context;
                return existing.Final.Task;
            }
            var now = _time.GetUtcNow();
            entry = new Entry(job, lease, now) { Phase = (++_tracked * PhaseStep) % 1, Context = ExecutionContext.Capture() };
            _entries[job.Id] = entry;
            UpdateQueuedLocked(entry);
            // Until the provider has answered, its pace is not known (a new process resuming jobs from the ledger): the
            // first job is read at once, and the pace its answer names plans every job again (OnPaceChanged).
            var teaches = _paced is { Heard: false } && Interlocked.Exchange(ref _teaching, 1) == 0;
            ScheduleLocked(entry, pollNow || teaches ? now : NextRead(entry, now));
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
            return _entries.TryGetValue(id, out var e) ? e.Job : _finished.TryGetValue(id, out var final) ? final : null;
        }
    }

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

    /// <summary>The earliest read scheduled, for a test that runs the tracker on its own clock.</summary>
    internal DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _schedule.Count > 0 ? _schedule.Min.Due : null;
            }
        }
    }

    /// <summary>Makes every read that is due by the clock, one after another: what the loop does, for a test's own clock.</summary>
    internal async Task PollDueAsync(CancellationToken cancellationToken = default)
    {
        var due = new List<Entry>();
        lock (_gate)
        {
            TakeDueLocked(_time.GetUtcNow(), due);
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
                TakeDueLocked(now, _due);
                wait = _schedule.Count > 0 ? _schedule.Min.Due - now : TimeSpan.FromMinutes(1);
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

    private void TakeDueLocked(DateTimeOffset now, List<Entry> due)
    {
        while (_schedule.Count > 0 && _schedule.Min.Due <= now)
        {
            var slot = _schedule.Min;
            _schedule.Remove(slot);
            if (_entries.TryGetValue(slot.Id, out var entry) && entry.Scheduled == slot)
            {
                entry.Scheduled = null;
                due.Add(entry);
            }
        }
    }

    /// <summary>Ends the loop's sleep: the timer fired, the schedule has an earlier slot, or the tracker is stopping.</summary>
    private void WakeLoop() => Volatile.Read(ref _scheduleChanged).TrySetResult(true);

    /// <summary>Reads a job in the execution context of the caller that tracked it last (see <see cref="Entry.Context"/>).</summary>
    private Task PollInContextAsync(Entry entry, CancellationToken token)
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
                var backoff = TimeSpan.FromTicks(Math.Min(MaxQueuedInterval.Ticks, MinInterval.Ticks << Math.Min(failures, 10)));
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
                RemoveLocked(entry);
                RememberLocked(merged);
                LearnLocked(entry, merged, now);
                WakeFirstQueuedLocked(merged, now);
            }
            else
            {
                UpdateQueuedLocked(entry);
                if (polled)
                {
                    ScheduleLocked(entry, NextRead(entry, now));
                }
            }
        }
        if (merged.IsFinal)
        {
            entry.Lease?.Dispose();
            entry.Final.TrySetResult(merged);
        }
    }

    /// <summary>Whether a job waits in the queue of a provider that will say when it starts: timed from then, not from now.</summary>
    private bool WaitsForStart(HailuoJob job) => _options.StartTimesReported && job.StartedAt is null && job.Status == JobStatus.Queued;

    /// <summary>When to read a job next, after the last read (or tracking) and as of <paramref name="now"/>: the heart of spending few status calls without noticing late.</summary>
    private DateTimeOffset NextRead(Entry entry, DateTimeOffset now)
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

    /// <summary>The first age on this job's ladder of reads before the window that is past <paramref name="age"/>.</summary>
    private TimeSpan SafetyAge(Entry entry, TimeSpan age)
    {
        var first = FirstLook.TotalSeconds;
        var rung = Math.Max(0, Math.Ceiling((Math.Log(Math.Max(age.TotalSeconds, first) / first) / Math.Log(SafetyGrowth)) - entry.Phase));
        var seconds = first * Math.Pow(SafetyGrowth, rung + entry.Phase);
        return TimeSpan.FromSeconds(seconds > age.TotalSeconds ? seconds : seconds * SafetyGrowth);
    }

    /// <summary>Learns how long a job that succeeded took; when that moves the window of its kind, the jobs of that kind are planned again.</summary>
    private void LearnLocked(Entry entry, HailuoJob job, DateTimeOffset now)
    {
        var fromStart = job.StartedAt is not null;
        if (job.Error?.Kind == HailuoErrorKind.ContentFiltered)
        {
            Durations.ObserveRefusal(fromStart ? entry.FromStart : entry.FromCreate);
            return;
        }
        if (job.Status != JobStatus.Succeeded)
        {
            return;
        }
        var origin = job.StartedAt ?? job.CreatedAt ?? entry.Created;
        var kind = fromStart ? entry.FromStart : entry.FromCreate;
        if (Durations.Observe(kind, (job.CompletedAt ?? now) - origin))
        {
            ReplanSoonerLocked(now, other => (other.Job.StartedAt is not null || WaitsForStart(other.Job) ? other.FromStart : other.FromCreate).Equals(kind));
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
    private void ReplanSoonerLocked(DateTimeOffset now, Func<Entry, bool> which)
    {
        foreach (var other in _entries.Values)
        {
            if (other.Scheduled is { } slot && which(other))
            {
                var due = NextRead(other, now);
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
        var woken = new List<Entry>();
        foreach (var slot in _queued)
        {
            if (!_entries.TryGetValue(slot.Id, out var entry))
            {
                continue;
            }
            woken.Add(entry);
            if (entry.WakeAt is null)
            {
                break;
            }
        }
        if (woken.Count == 0 || woken[woken.Count - 1].WakeAt is not null)
        {
            return;
        }
        // The provider starts its queue in order as slots free, but finishes are noticed out of order: the earlier
        // a slot freed, the older the job it went to.
        var times = new List<DateTimeOffset>(woken.Count);
        foreach (var entry in woken)
        {
            times.Add(entry.WakeAt ?? freed);
        }
        times.Sort();
        for (var i = 0; i < woken.Count; i++)
        {
            var entry = woken[i];
            entry.WakeAt = times[i];
            var due = Max(times[i] + FirstLook, now + MinInterval);
            var planned = NextRead(entry, now);
            ScheduleLocked(entry, due < planned ? due : planned);
        }
    }

    private void UpdateQueuedLocked(Entry entry)
    {
        var waits = WaitsForStart(entry.Job);
        if (waits && entry.QueuedSlot is null)
        {
            entry.QueuedSlot = (entry.Created, Interlocked.Increment(ref _sequence), entry.Job.Id);
            _queued.Add(entry.QueuedSlot.Value);
        }
        else if (!waits && entry.QueuedSlot is { } slot)
        {
            _queued.Remove(slot);
            entry.QueuedSlot = null;
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

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
        if (entry.QueuedSlot is { } queued)
        {
            _queued.Remove(queued);
            entry.QueuedSlot = null;
        }
    }

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
        List<Entry> left;
        lock (_gate)
        {
            left = new List<Entry>(_entries.Values);
            _entries.Clear();
            _schedule.Clear();
            _queued.Clear();
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
