using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Connection;
using Hailuo.Models;

namespace Hailuo.Pipeline;

public sealed class WaitBatchOptions
{
    /// <summary>As Wait-Job: after this long, write what has finished and stop waiting.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Stop after the first job finishes.</summary>
    public bool Any { get; set; }

    public bool ShowProgress { get; set; } = true;
}

/// <summary>
/// Wait-HailuoJob's logic. Jobs are registered with the shared tracker as they arrive and written as
/// they finish, so upstream keeps submitting; only <see cref="Complete"/> blocks, until every job is
/// final (or the timeout, or the first with -Any). A job that failed or was canceled is written like any
/// other, with its Error and what to do: it is the job's outcome, not a failure of waiting, so it is no
/// error record (Save-HailuoVideo reports a job without a video, once).
/// </summary>
public sealed class WaitBatch : CommandBatch<WaitBatchOptions>
{
    private const int ActivityId = 21;

    // The user's -Timeout is in the host's seconds, as Wait-Job's: the wall clock, not a client's.
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly Dictionary<string, Waited> _waiting = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _finished;
    private int _written;

    public WaitBatch(ICommandOutput output, HailuoConnection connection, WaitBatchOptions options, CancellationToken cancellationToken)
        : base(output, connection, options, cancellationToken)
    {
    }

    /// <summary>Registers a job and writes those already finished; never blocks.</summary>
    public void Add(HailuoJob job, long index)
    {
        if (StopWriting)
        {
            return;
        }
        using var route = EngineLog.Enter(Pump);
        HailuoClient client;
        try
        {
            client = Connection.GetClient(job.Provider);
        }
        catch (HailuoException e)
        {
            Output.WriteError(new CommandError(e.Error, new JobResult(job, index)));
            return;
        }
        var key = job.Provider + "/" + job.Id;
        lock (_gate)
        {
            if (_waiting.TryGetValue(key, out var waited))
            {
                // Another row whose input was the same, so New-HailuoVideo gave it the same job: it gets its own result.
                waited.Rows.Add((job, index));
                return;
            }
            _waiting[key] = new Waited(job, index, client);
        }
        Output.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Waiting for {0} job {1}{2} ({3}).",
            job.Provider, job.Id, index > 0 ? $" of row {index}" : "", job.Status));
        client.Tracker.Track(job).ContinueWith(
            t => OnFinished(key, t),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Pump.Drain(Output);
    }

    /// <summary>Blocks until done, writing each job as it finishes and one aggregated progress bar.</summary>
    public void Complete()
    {
        using var route = EngineLog.Enter(Pump);
        Pump.WaitUntil(Output, () => Done, TimeSpan.FromMilliseconds(500), Options.ShowProgress ? WriteProgress : null, CancellationToken);
        if (Options.ShowProgress)
        {
            Output.WriteProgress(new CommandProgress(ActivityId, "Waiting for Hailuo videos", "Done") { Completed = true });
        }
    }

    private bool StopWriting => (Options.Any && Volatile.Read(ref _written) > 0) || TimedOut;

    private bool TimedOut => Options.Timeout is { } t && DateTime.UtcNow - _started >= t;

    private bool Done
    {
        get
        {
            if (StopWriting)
            {
                return true;
            }
            lock (_gate)
            {
                return _waiting.Count == 0;
            }
        }
    }

    private void OnFinished(string key, Task<HailuoJob> task)
    {
        var written = 0;
        while (true)
        {
            List<(HailuoJob Job, long Index)> rows;
            lock (_gate)
            {
                if (!_waiting.TryGetValue(key, out var waited))
                {
                    return;
                }
                rows = waited.Rows.GetRange(written, waited.Rows.Count - written);
                if (rows.Count == 0)
                {
                    // Only once every row's write is queued is the job no longer waited for: Complete stops at the first
                    // moment nothing is, and a job removed first could finish unwritten.
                    _waiting.Remove(key);
                    _finished++;
                    break;
                }
            }
            written += rows.Count;
            if (task.Status == TaskStatus.RanToCompletion)
            {
                var final = task.Result;
                foreach (var (job, index) in rows)
                {
                    // Each row keeps its own columns: the tracker's job carries the first row's.
                    Write(ReferenceEquals(job.Tag, final.Tag) ? final : final.With(tag: job.Tag), index);
                }
            }
            else if (!CancellationToken.IsCancellationRequested)
            {
                // The tracker stopped watching (its connection closed) or failed: the job is not lost, but say so.
                var why = task.Exception?.GetBaseException().Message ?? "the session that watched it was closed";
                foreach (var (job, index) in rows)
                {
                    var error = new HailuoError(HailuoErrorKind.Transient, $"Waiting for job {job.Id} stopped: {why}. The job itself goes on at {job.Provider}.",
                        remedy: HailuoRemedy.LookAgainLater);
                    Pump.Post(output => output.WriteError(new CommandError(error, new JobResult(job, index))));
                }
            }
        }
        Pump.Wake();
    }

    private void Write(HailuoJob job, long index) =>
        Pump.Post(output =>
        {
            if (StopWriting)
            {
                return;
            }
            var result = new JobResult(job, index);
            if (job.Error is { } refused && CommandError.IsConnectionProblem(refused))
            {
                // The key or the address stopped the reads, not the job: say so once, as the connection's error.
                output.WriteError(new CommandError(refused, result));
                return;
            }
            output.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Job {0}{1} is {2}{3}{4}.",
                job.Id, index > 0 ? $" of row {index}" : "", job.Status,
                job.StartedAt is { } started && job.CompletedAt is { } completed ? $" after {(completed - started).TotalSeconds:0.#} s of generation" : "",
                job.Error is { } error ? ": " + error.Message.TrimEnd('.') : ""));
            output.WriteObject(result);
            Interlocked.Increment(ref _written);
        });

    private void WriteProgress(ICommandOutput output)
    {
        int queued = 0, running = 0, done, total;
        var latestEnd = DateTimeOffset.MinValue;
        var now = DateTimeOffset.MinValue;
        lock (_gate)
        {
            done = _finished;
            total = _finished + _waiting.Count;
            foreach (var waited in _waiting.Values)
            {
                var (job, client) = (waited.Rows[0].Job, waited.Client);
                var current = client.Tracker.Current(job.Id) ?? job;
                if (current.Status == JobStatus.Running)
                {
                    running++;
                }
                else
                {
                    queued++;
                }
                if (client.Tracker.ExpectedFinish(current) is { } end && end > latestEnd)
                {
                    latestEnd = end;
                    // Counted on the clock the estimate was made on: the client's.
                    now = client.Options.TimeProvider.GetUtcNow();
                }
            }
        }
        var remaining = latestEnd > now ? (int)(latestEnd - now).TotalSeconds : -1;
        var status = string.Format(CultureInfo.InvariantCulture, "{0} done, {1} running, {2} queued", done, running, queued);
        output.WriteProgress(new CommandProgress(ActivityId, "Waiting for Hailuo videos", status)
        {
            PercentComplete = total == 0 ? 0 : done * 100 / total,
            SecondsRemaining = remaining,
        });
    }

    /// <summary>A job being waited for, and the rows (one, or more whose input was the same) it is written for.</summary>
    private sealed class Waited(HailuoJob job, long index, HailuoClient client)
    {
        public List<(HailuoJob Job, long Index)> Rows { get; } = [(job, index)];

        public HailuoClient Client { get; } = client;
    }
}
