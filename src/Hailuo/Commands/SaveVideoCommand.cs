using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Downloads;
using Hailuo.Models;

namespace Hailuo.Commands;

public sealed class SaveOptions
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
/// </summary>
public sealed class SaveVideoCommand : IDisposable
{
    private const int ActivityId = 31;

    private readonly ICommandOutput _output;
    private readonly HailuoSession _session;
    private readonly SaveOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly PipelinePump _pump = new();
    private readonly SemaphoreSlim _slots;
    private readonly string _folder;
    private int _pending;
    private int _done;
    private int _queued;
    private long _bytes;

    public SaveVideoCommand(ICommandOutput output, HailuoSession session, SaveOptions options, CancellationToken cancellationToken)
    {
        _output = output;
        _session = session;
        _options = options;
        _cancellationToken = cancellationToken;
        _slots = new SemaphoreSlim(Math.Max(1, options.ThrottleLimit));
        _folder = System.IO.Path.GetFullPath(options.Path);
    }

    public void Add(HailuoJob job, long index)
    {
        using var route = EngineLog.Enter(_pump);
        _pump.Drain(_output);
        HailuoClient client;
        string destination;
        try
        {
            client = _session.GetClient(job.Provider);
            Directory.CreateDirectory(_folder);
            destination = FileNameTemplate.Render(_options.FileNameTemplate, job, index, _folder);
        }
        catch (Exception e) when (e is HailuoException or IOException or UnauthorizedAccessException)
        {
            var error = e is HailuoException h ? h.Error : new HailuoError(HailuoErrorKind.Validation, $"Cannot write to {_folder}: {e.Message}", "Path");
            _output.WriteError(new CommandError(error, new JobResult(job, index)));
            return;
        }
        Interlocked.Increment(ref _pending);
        Interlocked.Increment(ref _queued);
        _ = SaveAsync(client, job, index, destination);
    }

    public void Complete()
    {
        using var route = EngineLog.Enter(_pump);
        _pump.WaitUntil(_output, () => Volatile.Read(ref _pending) == 0, TimeSpan.FromMilliseconds(500), _options.ShowProgress ? WriteProgress : null, _cancellationToken);
        if (_options.ShowProgress)
        {
            _output.WriteProgress(new CommandProgress(ActivityId, "Saving Hailuo videos", "Done") { Completed = true });
        }
    }

    private async Task SaveAsync(HailuoClient client, HailuoJob job, long index, string destination)
    {
        try
        {
            var ready = job.Status == JobStatus.Succeeded ? job : await client.WaitAsync(job, null, _cancellationToken).ConfigureAwait(false);
            if (ready.Status != JobStatus.Succeeded)
            {
                var why = ready.Error?.Message ?? $"it ended {ready.Status}";
                _pump.Post(output => output.WriteError(new CommandError(new HailuoError(HailuoErrorKind.JobFailed,
                    $"Job {ready.Id} has no video to save: {why}", "Job", ready.Error?.RecommendedAction), new JobResult(ready, index), "Hailuo.NothingToSave")));
                return;
            }
            await _slots.WaitAsync(_cancellationToken).ConfigureAwait(false);
            try
            {
                var progress = _options.ShowProgress ? new Progress(this, destination) : null;
                var saved = await client.DownloadAsync(ready, destination, _options.Force, progress, _cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref _bytes, saved.BytesTransferred);
                _pump.Post(output =>
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
            _pump.Post(output => output.WriteError(new CommandError(e.Error, new JobResult(job, index))));
        }
        catch (IOException e)
        {
            _pump.Post(output => output.WriteError(new CommandError(new HailuoError(HailuoErrorKind.Transient, $"Saving {destination} failed: {e.Message}"), new JobResult(job, index), "Hailuo.WriteFailed")));
        }
        catch (OperationCanceledException)
        {
            // Stopped: the downloader removed its partial file.
        }
        finally
        {
            Interlocked.Increment(ref _done);
            Interlocked.Decrement(ref _pending);
        }
    }

    private void WriteProgress(ICommandOutput output)
    {
        var status = string.Format(CultureInfo.InvariantCulture, "{0} of {1} saved, {2:N1} MB downloaded", Volatile.Read(ref _done), Volatile.Read(ref _queued), Interlocked.Read(ref _bytes) / 1048576.0);
        output.WriteProgress(new CommandProgress(ActivityId, "Saving Hailuo videos", status)
        {
            PercentComplete = _queued == 0 ? 0 : Volatile.Read(ref _done) * 100 / Volatile.Read(ref _queued),
        });
    }

    /// <summary>A child bar per file, posted to the pipeline thread like everything else.</summary>
    private sealed class Progress : IProgress<DownloadProgress>
    {
        private static int _nextId = 1000;
        private readonly SaveVideoCommand _owner;
        private readonly string _name;
        private readonly int _id = Interlocked.Increment(ref _nextId);

        public Progress(SaveVideoCommand owner, string destination)
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
            _owner._pump.Post(output => output.WriteProgress(new CommandProgress(_id, _name, status)
            {
                PercentComplete = value.PercentComplete ?? -1,
                ParentActivityId = ActivityId,
            }));
        }

        public void Finish(ICommandOutput output) =>
            output.WriteProgress(new CommandProgress(_id, _name, "Saved") { ParentActivityId = ActivityId, Completed = true });
    }

    public void Dispose()
    {
        _pump.Dispose();
        _slots.Dispose();
    }
}
