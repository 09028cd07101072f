using System;
using System.Collections.Generic;

namespace Hailuo.Models;

/// <summary>
/// One generation job, in one shape for every provider. A snapshot: a status change makes a new one.
/// </summary>
public sealed class HailuoJob
{
    private static readonly IReadOnlyDictionary<string, string?> NoTag = new Dictionary<string, string?>();

    public HailuoJob(string id, HailuoProvider provider, string model, JobStatus status)
    {
        Id = id;
        Provider = provider;
        Model = model;
        Status = status;
    }

    /// <summary>The id to poll with: core.today's job_id, Replicate's prediction id, MiniMax's task_id, Cloudflare's request_id.</summary>
    public string Id { get; }

    public HailuoProvider Provider { get; }

    /// <summary>hailuo-2.3 or hailuo-2.3-fast.</summary>
    public string Model { get; }

    public JobStatus Status { get; private set; }

    /// <summary>Where the video can be downloaded, once it has succeeded. Links expire; the engine refreshes them.</summary>
    public Uri? VideoUri { get; private set; }

    /// <summary>MiniMax's file id, which files/retrieve turns into a fresh link.</summary>
    public string? FileId { get; private set; }

    /// <summary>Cloudflare's MiniMax task id, beside its request id.</summary>
    public string? TaskId { get; private set; }

    public HailuoError? Error { get; private set; }

    public DateTimeOffset? CreatedAt { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>What was asked for, when this process submitted it or the ledger remembers it.</summary>
    public VideoRequest? Request { get; private set; }

    /// <summary>The hash of the request that the ledger uses to recognise a resubmission.</summary>
    public string? InputHash { get; private set; }

    /// <summary>Free-form data that rides along, such as the CSV row the job came from.</summary>
    public IReadOnlyDictionary<string, string?> Tag { get; private set; } = NoTag;

    /// <summary>True when this job came from the ledger rather than a new, paid create.</summary>
    public bool Reused { get; private set; }

    public bool IsFinal => Status.IsFinal();

    public HailuoJob With(
        JobStatus? status = null,
        Uri? videoUri = null,
        string? fileId = null,
        string? taskId = null,
        HailuoError? error = null,
        DateTimeOffset? createdAt = null,
        DateTimeOffset? startedAt = null,
        DateTimeOffset? completedAt = null,
        VideoRequest? request = null,
        string? inputHash = null,
        IReadOnlyDictionary<string, string?>? tag = null,
        bool? reused = null)
    {
        var copy = (HailuoJob)MemberwiseClone();
        copy.Status = status ?? Status;
        copy.VideoUri = videoUri ?? VideoUri;
        copy.FileId = fileId ?? FileId;
        copy.TaskId = taskId ?? TaskId;
        copy.Error = error ?? Error;
        copy.CreatedAt = createdAt ?? CreatedAt;
        copy.StartedAt = startedAt ?? StartedAt;
        copy.CompletedAt = completedAt ?? CompletedAt;
        copy.Request = request ?? Request;
        copy.InputHash = inputHash ?? InputHash;
        copy.Tag = tag ?? Tag;
        copy.Reused = reused ?? Reused;
        return copy;
    }

    /// <summary>Takes what a fresh status read says, keeping what this snapshot knew and the read did not.</summary>
    public HailuoJob Merge(HailuoJob fresh) => With(
        status: fresh.Status,
        videoUri: fresh.VideoUri,
        fileId: fresh.FileId,
        taskId: fresh.TaskId,
        error: fresh.Error,
        createdAt: fresh.CreatedAt,
        startedAt: fresh.StartedAt,
        completedAt: fresh.CompletedAt);

    public override string ToString() => $"{Provider} {Id} {Status}";
}
