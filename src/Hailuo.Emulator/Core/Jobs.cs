using System.Text.Json.Nodes;

namespace Hailuo.Emulator.Core;

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,
}

/// <summary>A change of a job's state, with the emulated moment it happened.</summary>
public sealed record JobTransition(EmulatedJob Job, JobState From, JobState To, DateTimeOffset At);

/// <summary>
/// One generation job as the emulator sees it. Mutable fields change only under the owning
/// <see cref="JobBoard"/>'s lock.
/// </summary>
public sealed class EmulatedJob
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public required string Id { get; init; }
    public required string Provider { get; init; }
    public required string Model { get; init; }
    /// <summary>A hash of the key that created the job; the key itself is never kept.</summary>
    public required string Account { get; init; }
    public required JsonObject Input { get; init; }
    public required string InputHash { get; init; }
    /// <summary>"768p" or "1080p", whatever the provider's casing.</summary>
    public required string Resolution { get; init; }
    public required int Duration { get; init; }
    public required TimeSpan GenerationTime { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string FileId { get; init; }
    public Callback? Callback { get; init; }
    /// <summary>Set when the content filter will fail this job once it has run.</summary>
    public bool WillBeFiltered { get; init; }

    public JobState State { get; internal set; } = JobState.Queued;
    public DateTimeOffset? StartedAt { get; internal set; }
    public DateTimeOffset? CompletedAt { get; internal set; }
    internal DateTimeOffset DueAt { get; set; }

    public int Polls;
    public int Downloads;

    public bool IsFinal => State is JobState.Succeeded or JobState.Failed or JobState.Canceled;

    /// <summary>Completes once the job reaches a final state, for the calls that hold until then.</summary>
    public Task Finished => _finished.Task;

    internal void SignalFinished() => _finished.TrySetResult();

    public string AssetKey => $"{Resolution.ToLowerInvariant()}-{Duration}s";
}

/// <summary>Where and how to tell a client about a job's progress.</summary>
public sealed record Callback(Uri Url, IReadOnlySet<string> Events);

/// <summary>
/// The jobs of one provider, run under its concurrency limit. Transitions are computed from the
/// clock when anyone looks, so each one carries the exact moment it was due whatever the tick rate.
/// </summary>
public sealed class JobBoard
{
    private readonly object _gate = new();
    private readonly Dictionary<string, EmulatedJob> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedJob> _byFileId = new(StringComparer.Ordinal);
    private readonly Queue<EmulatedJob> _queued = new();
    private readonly List<EmulatedJob> _running = [];
    private readonly TimeProvider _time;

    public JobBoard(string provider, TimeProvider time, Func<int> concurrency)
    {
        Provider = provider;
        _time = time;
        Concurrency = concurrency;
    }

    public string Provider { get; }

    private Func<int> Concurrency { get; }

    /// <summary>Raised outside the lock for every transition, in order.</summary>
    public event Action<JobTransition>? Transitioned;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _jobs.Count;
            }
        }
    }

    public void Add(EmulatedJob job)
    {
        List<JobTransition> transitions;
        lock (_gate)
        {
            transitions = AdvanceLocked(_time.GetUtcNow());
            _jobs.Add(job.Id, job);
            _byFileId[job.FileId] = job;
            _queued.Enqueue(job);
            transitions.Add(new JobTransition(job, JobState.Queued, JobState.Queued, job.CreatedAt));
            StartQueuedLocked(job.CreatedAt, transitions);
        }
        Raise(transitions);
    }

    public EmulatedJob? Find(string id)
    {
        Advance();
        lock (_gate)
        {
            return _jobs.GetValueOrDefault(id);
        }
    }

    public EmulatedJob? FindByFileId(string fileId)
    {
        Advance();
        lock (_gate)
        {
            return _byFileId.GetValueOrDefault(fileId);
        }
    }

    /// <summary>Cancels a job that has not finished; a finished job is left as it is.</summary>
    public EmulatedJob? Cancel(string id)
    {
        var transitions = new List<JobTransition>();
        EmulatedJob? job;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            transitions.AddRange(AdvanceLocked(now));
            job = _jobs.GetValueOrDefault(id);
            if (job is not null && !job.IsFinal)
            {
                var from = job.State;
                _running.Remove(job);
                job.State = JobState.Canceled;
                job.CompletedAt = now;
                transitions.Add(new JobTransition(job, from, JobState.Canceled, now));
                StartQueuedLocked(now, transitions);
            }
        }
        Raise(transitions);
        return job;
    }

    public void Advance()
    {
        List<JobTransition> transitions;
        lock (_gate)
        {
            transitions = AdvanceLocked(_time.GetUtcNow());
        }
        Raise(transitions);
    }

    public void Clear()
    {
        lock (_gate)
        {
            _jobs.Clear();
            _byFileId.Clear();
            _queued.Clear();
            _running.Clear();
        }
    }

    public List<EmulatedJob> Snapshot()
    {
        lock (_gate)
        {
            return [.. _jobs.Values];
        }
    }

    private List<JobTransition> AdvanceLocked(DateTimeOffset now)
    {
        var transitions = new List<JobTransition>();
        while (true)
        {
            EmulatedJob? next = null;
            foreach (var job in _running)
            {
                if (job.DueAt <= now && (next is null || job.DueAt < next.DueAt))
                {
                    next = job;
                }
            }
            if (next is null)
            {
                // The limit may have been raised at run time (POST /_emulator/config): fill the new room.
                StartQueuedLocked(now, transitions);
                return transitions;
            }
            _running.Remove(next);
            next.State = next.WillBeFiltered ? JobState.Failed : JobState.Succeeded;
            next.CompletedAt = next.DueAt;
            transitions.Add(new JobTransition(next, JobState.Running, next.State, next.DueAt));
            StartQueuedLocked(next.DueAt, transitions);
        }
    }

    private void StartQueuedLocked(DateTimeOffset at, List<JobTransition> transitions)
    {
        while (_running.Count < Math.Max(1, Concurrency()) && _queued.Count > 0)
        {
            var job = _queued.Dequeue();
            if (job.State != JobState.Queued)
            {
                continue;
            }
            var start = job.CreatedAt > at ? job.CreatedAt : at;
            job.State = JobState.Running;
            job.StartedAt = start;
            job.DueAt = start + job.GenerationTime;
            _running.Add(job);
            transitions.Add(new JobTransition(job, JobState.Queued, JobState.Running, start));
        }
    }

    private void Raise(List<JobTransition> transitions)
    {
        foreach (var t in transitions)
        {
            if (t.Job.IsFinal && t.To == t.Job.State)
            {
                t.Job.SignalFinished();
            }
            Transitioned?.Invoke(t);
        }
    }
}
