using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Connection;
using Hailuo.Downloads;
using Hailuo.Models;

namespace Hailuo.Pipeline;

public sealed class SaveBatchOptions
{
    public string Path { get; set; } = ".";

    public string FileNameTemplate { get; set; } = Downloads.FileNameTemplate.Default;

    /// <summary>Overwrite a different file that is already there.</summary>
    public bool Force { get; set; }

    /// <summary>Downloads at once.</summary>
    public int ThrottleLimit { get; set; } = 4;

    public bool ShowProgress { get; set; } = true;
}

/// <summary>
/// Save-HailuoVideo's logic: downloads are queued as jobs arrive (a job still running is waited for
/// first), several at a time; each file is written as soon as it is whole. Stopping leaves no partial file.
/// A job that ended without a video is reported once every video that can be saved is: an error stops a
/// batch run with ErrorAction Stop, and it must not stop the others' downloads.
/// </summary>
public sealed class SaveBatch : CommandBatch<SaveBatchOptions>
{
    private const int ActivityId = 31;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim _slots;
    private readonly string _folder;
    private readonly ConcurrentQueue<CommandError> _withoutVideo = new();
    private DateTime _nextProgress = DateTime.MinValue;
    private int _pending;
    private int _done;
    private int _queued;
    private long _bytes;

    public SaveBatch(ICommandOutput output, HailuoConnection connection, SaveBatchOptions options, CancellationToken cancellationToken)
        : base(output, connection, options, cancellationToken)
    {
        _slots = new SemaphoreSlim(Math.Max(1, options.ThrottleLimit));
        _folder = System.IO.Path.GetFullPath(options.Path);
    }

    public void Add(HailuoJob job, long index)
    {
        using var route = EngineLog.Enter(Pump);
        Pump.Drain(Output);
        HailuoClient client;
        string destination;
        try
        {
            client = Connection.GetClient(job.Provider);
            Directory.CreateDirectory(_folder);
            destination = FileNameTemplate.Render(Options.FileNameTemplate, job, index, _folder);
        }
        catch (Exception e) when (e is HailuoException or IOException or UnauthorizedAccessException)
        {
            var error = e is HailuoException h ? h.Error : new HailuoError(HailuoErrorKind.Validation, $"Cannot write to '{_folder}': {e.Message}", "Path", HailuoRemedy.FixSavePath);
            Output.WriteError(new CommandError(About(error, job, index, null), new JobResult(job, index)));
            return;
        }
        if (job.IsFinal && job.Status != JobStatus.Succeeded)
        {
            // Nothing to save or to confirm: it is reported with the others that have no video, at the end.
            QueueWithoutVideo(job, index);
            return;
        }
        var replacing = File.Exists(destination);
        var action = replacing && Options.Force
            ? $"Replace the existing file with the video of job {job.Id}"
            : $"Save the video of job {job.Id}";
        if (!Output.ShouldProcess(destination, action))
        {
            return;
        }
        Interlocked.Increment(ref _pending);
        Interlocked.Increment(ref _queued);
        _ = SaveAsync(client, job, index, destination);
        Tick(Output);
    }

    public void Complete()
    {
        using var route = EngineLog.Enter(Pump);
        Pump.WaitUntil(Output, () => Volatile.Read(ref _pending) == 0, ProgressInterval, Tick, CancellationToken);
        if (Options.ShowProgress && Volatile.Read(ref _queued) > 0)
        {
            Output.WriteProgress(new CommandProgress(ActivityId, "Saving Hailuo videos", "Done") { Completed = true });
        }
        while (_withoutVideo.TryDequeue(out var error))
        {
            Output.WriteError(error);
        }
    }

    private async Task SaveAsync(HailuoClient client, HailuoJob job, long index, string destination)
    {
        try
        {
            var ready = job.Status == JobStatus.Succeeded ? job : await client.WaitAsync(job, null, CancellationToken).ConfigureAwait(false);
            if (ready.Error is { } refused && CommandError.IsConnectionProblem(refused))
            {
                Pump.Post(output => output.WriteError(new CommandError(refused, new JobResult(ready, index))));
                return;
            }
            if (ready.Status != JobStatus.Succeeded)
            {
                var why = QueueWithoutVideo(ready, index);
                Pump.Post(output => output.WriteVerbose($"Job {ready.Id} (row {index}) has no video to save: {why.Message}"));
                return;
            }
            await _slots.WaitAsync(CancellationToken).ConfigureAwait(false);
            try
            {
                var progress = Options.ShowProgress ? new Progress(this, destination) : null;
                var saved = await client.DownloadAsync(ready, destination, Options.Force, progress, CancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref _bytes, saved.BytesTransferred);
                Pump.Post(output =>
                {
                    if (saved.Skipped)
                    {
                        output.WriteVerbose($"{saved.Path} is already there and identical; skipped.");
                    }
                    progress?.Finish(output);
                    output.WriteObject(new SavedVideo(saved.Path, saved.Length, saved.Skipped, ready, index));
                });
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (HailuoException e)
        {
            Pump.Post(output => output.WriteError(new CommandError(About(e.Error, job, index, destination), new JobResult(job, index))));
        }
        catch (IOException e)
        {
            var error = new HailuoError(HailuoErrorKind.Transient, $"writing the file failed: {e.Message}");
            Pump.Post(output => output.WriteError(new CommandError(About(error, job, index, destination), new JobResult(job, index), "Hailuo.WriteFailed")));
        }
        catch (OperationCanceledException)
        {
            // Stopped: the downloader removed its partial file.
        }
        finally
        {
            Interlocked.Increment(ref _done);
            Interlocked.Decrement(ref _pending);
            Pump.Wake();
        }
    }

    /// <summary>Keeps the error of a job that ended without a video for <see cref="Complete"/> to write; returns why it has none.</summary>
    private HailuoError QueueWithoutVideo(HailuoJob job, long index)
    {
        var why = job.Error ?? new HailuoError(HailuoErrorKind.JobFailed, $"it ended {job.Status}");
        _withoutVideo.Enqueue(new CommandError(About(why.WithMessage($"it has no video: {why.Message}"), job, index, null),
            new JobResult(job, index), "Hailuo.NothingToSave"));
        return why;
    }

    /// <summary>An error that names where to look: the row, the job and the file.</summary>
    private static HailuoError About(HailuoError error, HailuoJob job, long index, string? destination)
    {
        var row = index > 0 ? string.Format(CultureInfo.InvariantCulture, "Row {0}, job {1}", index, job.Id) : $"Job {job.Id}";
        var file = destination is null ? "" : $", file '{destination}'";
        return error.WithMessage($"{row}{file}: {error.Message}");
    }

    /// <summary>The bar, at most every half second: from the first job on, while upstream is still waiting for the rest.</summary>
    private void Tick(ICommandOutput output)
    {
        // Paced on the wall clock: the bar is for the person watching the host, whatever clock the clients keep.
        if (!Options.ShowProgress || DateTime.UtcNow < _nextProgress)
        {
            return;
        }
        _nextProgress = DateTime.UtcNow + ProgressInterval;
        var queued = Volatile.Read(ref _queued);
        var done = Volatile.Read(ref _done);
        var status = string.Format(CultureInfo.InvariantCulture, "{0} of {1} saved, {2:N1} MB downloaded", done, queued, Interlocked.Read(ref _bytes) / 1048576.0);
        output.WriteProgress(new CommandProgress(ActivityId, "Saving Hailuo videos", status)
        {
            PercentComplete = queued == 0 ? 0 : done * 100 / queued,
        });
    }

    /// <summary>A child bar per file, posted to the pipeline thread like everything else.</summary>
    private sealed class Progress : IProgress<DownloadProgress>
    {
        // Process-wide (docs/architecture.md): bars of concurrent saves in one host never share an id.
        private static int _nextId = 1000;
        private readonly SaveBatch _owner;
        private readonly string _name;
        private readonly int _id = Interlocked.Increment(ref _nextId);

        public Progress(SaveBatch owner, string destination)
        {
            _owner = owner;
            _name = System.IO.Path.GetFileName(destination);
        }

        public void Report(DownloadProgress value)
        {
            if (value.TotalBytes is not > 8L * 1024 * 1024)
            {
                return;
            }
            var status = string.Format(CultureInfo.InvariantCulture, "{0:N1} of {1:N1} MB, {2:N1} MB/s", value.BytesWritten / 1048576.0, value.TotalBytes / 1048576.0, value.BytesPerSecond / 1048576.0);
            _owner.Pump.Post(output => output.WriteProgress(new CommandProgress(_id, _name, status)
            {
                PercentComplete = value.PercentComplete ?? -1,
                ParentActivityId = ActivityId,
            }));
        }

        public void Finish(ICommandOutput output) =>
            output.WriteProgress(new CommandProgress(_id, _name, "Saved") { ParentActivityId = ActivityId, Completed = true });
    }

    public override void Dispose()
    {
        base.Dispose();
        _slots.Dispose();
    }
}
