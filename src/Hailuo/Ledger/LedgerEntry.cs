// What callers get back from the ledger: LedgerState (how far a paid create got) and LedgerEntry, one job's
// immutable snapshot. Public, and apart from LedgerRecord.cs (the lines on disk) and LedgerIndex.cs (which builds
// entries from them), so the API stays the same whatever the file format does.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>How far the paid create of a ledger entry got.</summary>
public enum LedgerState
{
    /// <summary>
    /// The intent was written and the create may have been sent, but no job id came back. Found after a
    /// crash, this means "outcome unknown": report it, never resubmit it silently.
    /// </summary>
    Submitting,
    /// <summary>The provider accepted the create and gave a job id.</summary>
    Submitted,
    /// <summary>The create failed in a way that may or may not have reached the provider (timeout, reset).</summary>
    OutcomeUnknown,
    /// <summary>The provider refused the create (bad key, no credits, invalid input): nothing was made or paid for.</summary>
    Rejected,
}

/// <summary>
/// One job as the ledger knows it: an immutable snapshot of its latest state. A later record makes a new
/// snapshot; this one never changes.
/// </summary>
public sealed class LedgerEntry
{
    internal static readonly IReadOnlyDictionary<string, string?> NoTag =
        new ReadOnlyDictionary<string, string?>(new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase));

    private VideoRequest? _request;

    internal LedgerEntry(string key, HailuoProvider provider)
    {
        Key = key;
        Provider = provider;
    }

    /// <summary>The ledger's own id for this entry, stable across processes and compactions.</summary>
    public string Key { get; }

    public HailuoProvider Provider { get; }

    /// <summary>
    /// The caller's opaque fingerprint of the account (for example a short hash of the key), never the key
    /// itself. Null when the ledger learnt of the job from a status read rather than from its own intent.
    /// </summary>
    public string? Account { get; private set; }

    /// <summary>The caller's hash of the request, which recognises a resubmission. Null as for <see cref="Account"/>.</summary>
    public string? InputHash { get; private set; }

    /// <summary>The provider's job id; null until the create has returned one.</summary>
    public string? JobId { get; private set; }

    public LedgerState State { get; private set; }

    /// <summary>The last status recorded; null while no status is known.</summary>
    public JobStatus? Status { get; private set; }

    public string Model { get; private set; } = HailuoModels.Standard;

    /// <summary>
    /// What was asked for, as a copy. A data: URI image is kept only as <c>data:&lt;type&gt;;sha256=&lt;hex&gt;</c>,
    /// so the ledger never holds the payload; URLs and paths are kept as given.
    /// </summary>
    public VideoRequest? Request => _request?.Clone();

    /// <summary>Free-form data that rode along with the job (keys compare case-insensitively).</summary>
    public IReadOnlyDictionary<string, string?> Tag { get; private set; } = NoTag;

    /// <summary>The row number of the input the job was submitted for (1-based); null when the ledger does not know it.</summary>
    public long? Row { get; private set; }

    /// <summary>The process that wrote the intent, when the ledger knows it: while it runs, its create may still be answered.</summary>
    public ProcessStamp? Owner { get; private set; }

    /// <summary>A download under way, in some process: the file it writes.</summary>
    public string? DownloadingTo { get; private set; }

    /// <summary>The process writing <see cref="DownloadingTo"/>.</summary>
    public ProcessStamp? Downloader { get; private set; }

    /// <summary>When the ledger first recorded the job (the intent, or the first status for a job it did not submit).</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When the latest record for this job was written.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>The last error: the job's failure, or why the create's outcome is unknown. Kind, code and message only.</summary>
    public HailuoError? Error { get; private set; }

    /// <summary>MiniMax's file id, which outlives the expiring download link.</summary>
    public string? FileId { get; private set; }

    /// <summary>Cloudflare's MiniMax task id, beside its request id.</summary>
    public string? TaskId { get; private set; }

    /// <summary>
    /// The succeeded video's link, kept only where the provider gives it once, in the create's answer (Cloudflare's
    /// run); null elsewhere, where links expire and a fresh one is asked for.
    /// </summary>
    public Uri? VideoUri { get; private set; }

    /// <summary>Where the video was saved, as a full path.</summary>
    public string? VideoPath { get; private set; }

    public long? VideoLength { get; private set; }

    /// <summary>A create with no known outcome: no job id was recorded and no refusal either (it may have been charged).</summary>
    public bool IsUnsettled => JobId is null && State is LedgerState.Submitting or LedgerState.OutcomeUnknown;

    /// <summary>Whether the saved video is still there, whole: checked on disk at each call.</summary>
    public bool IsDownloaded
    {
        get
        {
            if (VideoPath is null || VideoLength is null)
            {
                return false;
            }
            try
            {
                var file = new FileInfo(VideoPath);
                return file.Exists && file.Length == VideoLength.Value;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The job this entry stands for, marked <see cref="HailuoJob.Reused"/>. It has a video link only where the ledger
    /// keeps one (<see cref="VideoUri"/>); elsewhere links expire and the engine fetches a fresh one. Throws when the
    /// create never returned a job id.
    /// </summary>
    public HailuoJob ToJob()
    {
        if (JobId is null)
        {
            throw new InvalidOperationException(
                $"The ledger entry {Key} has no job id ({State}): the create may or may not have reached {Provider}.");
        }
        // A submitted job with no status read yet is waiting at the provider.
        var job = new HailuoJob(JobId, Provider, Model, Status ?? JobStatus.Queued);
        return job.With(
            videoUri: VideoUri,
            fileId: FileId,
            taskId: TaskId,
            error: Error,
            createdAt: CreatedAt,
            startedAt: StartedAt,
            completedAt: CompletedAt,
            request: Request,
            inputHash: InputHash,
            tag: Tag,
            reused: true);
    }

    public override string ToString() => $"{Provider} {JobId ?? "(no id)"} {State} {Status?.ToString() ?? "-"}";

    // Snapshots are never changed once published: every change goes through a copy.
    internal LedgerEntry Copy() => (LedgerEntry)MemberwiseClone();

    internal LedgerEntry SetInput(string? account, string? inputHash, string? model, VideoRequest? request, IReadOnlyDictionary<string, string?>? tag, long? row = null)
    {
        Row = row ?? Row;
        Account = account ?? Account;
        InputHash = inputHash ?? InputHash;
        Model = model ?? Model;
        _request = request ?? _request;
        Tag = tag ?? Tag;
        return this;
    }

    internal LedgerEntry SetState(LedgerState state, string? jobId = null)
    {
        State = state;
        JobId = jobId ?? JobId;
        return this;
    }

    internal LedgerEntry SetTimes(DateTimeOffset? createdAt, DateTimeOffset updatedAt)
    {
        CreatedAt = createdAt ?? CreatedAt;
        UpdatedAt = updatedAt;
        return this;
    }

    internal LedgerEntry SetStatus(JobStatus? status, HailuoError? error, DateTimeOffset? startedAt, DateTimeOffset? completedAt, string? fileId, string? taskId,
        Uri? videoUri)
    {
        Status = status;
        Error = error;
        StartedAt = startedAt ?? StartedAt;
        CompletedAt = completedAt ?? CompletedAt;
        FileId = fileId ?? FileId;
        TaskId = taskId ?? TaskId;
        VideoUri = videoUri ?? VideoUri;
        return this;
    }

    internal LedgerEntry SetError(HailuoError? error)
    {
        Error = error;
        return this;
    }

    internal LedgerEntry SetDownload(string? path, long? length)
    {
        VideoPath = path;
        VideoLength = length;
        return this;
    }

    internal LedgerEntry SetOwner(ProcessStamp? owner)
    {
        Owner = owner ?? Owner;
        return this;
    }

    /// <summary>A download starts (a path and its process) or ends (nulls).</summary>
    internal LedgerEntry SetDownloading(string? path, ProcessStamp? downloader)
    {
        DownloadingTo = path;
        Downloader = downloader;
        return this;
    }

    /// <summary>The raw request, not copied: only for the ledger's own serializer.</summary>
    internal VideoRequest? RawRequest => _request;
}
