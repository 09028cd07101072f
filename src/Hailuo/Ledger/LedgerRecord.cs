// The ledger's record model: what one line of the file says, and what each type of line needs, with no JSON in
// it. The bytes are LedgerRecord.Json.cs's business, so that the meaning of a record and its form on disk can each
// be read and changed in one place.
using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>
/// One line of the ledger file. Most records are deltas (only what changed), so two processes writing about
/// the same job never overwrite each other's fields; a snapshot carries a whole entry and is what compaction writes.
/// </summary>
internal sealed partial class LedgerRecord
{
    public const string Header = "header";
    public const string Intent = "intent";
    public const string Submitted = "submitted";
    public const string Unknown = "unknown";
    public const string Rejected = "rejected";
    public const string Status = "status";
    public const string Downloaded = "downloaded";
    public const string Snapshot = "snapshot";
    public const string Moved = "moved";
    public const string Downloading = "downloading";
    public const string Abandoned = "abandoned";

    public string Type { get; set; } = "";
    public string? Key { get; set; }
    public DateTimeOffset At { get; set; }
    public HailuoProvider? Provider { get; set; }
    public string? Account { get; set; }
    public string? InputHash { get; set; }
    public string? JobId { get; set; }
    public string? Model { get; set; }
    public LedgerState? State { get; set; }
    public JobStatus? JobStatus { get; set; }
    public HailuoError? Error { get; set; }
    public VideoRequest? Request { get; set; }
    public IReadOnlyDictionary<string, string?>? Tag { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? FileId { get; set; }
    public string? TaskId { get; set; }
    public string? VideoPath { get; set; }
    public long? VideoLength { get; set; }
    /// <summary>A compacted file's generation: a header names its own, a moved marker names its successor's.</summary>
    public string? Generation { get; set; }
    /// <summary>The input's row number (intents and snapshots).</summary>
    public long? Row { get; set; }
    /// <summary>The process that wrote an intent, or that downloads a job's video ("downloading" records).</summary>
    public ProcessStamp? Owner { get; set; }
    /// <summary>A snapshot's download under way: the file, and <see cref="Downloader"/> the process writing it.</summary>
    public string? DownloadingTo { get; set; }
    public ProcessStamp? Downloader { get; set; }
    /// <summary>
    /// A succeeded job's video link, only where the provider gives it once (ProviderProfile.GivesVideoLinkOnce):
    /// other links expire and are asked for afresh, so they are never written.
    /// </summary>
    public Uri? VideoUri { get; set; }

    public static LedgerRecord FromEntry(LedgerEntry e, DateTimeOffset at) => new()
    {
        Type = Snapshot,
        Key = e.Key,
        At = at,
        Provider = e.Provider,
        Account = e.Account,
        InputHash = e.InputHash,
        JobId = e.JobId,
        Model = e.Model,
        State = e.State,
        JobStatus = e.Status,
        Error = e.Error,
        Request = e.RawRequest,
        Tag = e.Tag,
        CreatedAt = e.CreatedAt,
        StartedAt = e.StartedAt,
        CompletedAt = e.CompletedAt,
        FileId = e.FileId,
        TaskId = e.TaskId,
        VideoPath = e.VideoPath,
        VideoLength = e.VideoLength,
        Row = e.Row,
        Owner = e.Owner,
        DownloadingTo = e.DownloadingTo,
        Downloader = e.Downloader,
        VideoUri = e.VideoUri,
    };

    /// <summary>
    /// A record of what a job snapshot says; its link only when <paramref name="keepVideoLink"/> says the provider
    /// gives no other (links otherwise expire, and a fresh one is asked for).
    /// </summary>
    public static LedgerRecord FromJob(string type, HailuoJob job, bool keepVideoLink = false) => new()
    {
        Type = type,
        Provider = job.Provider,
        JobId = job.Id,
        Model = job.Model,
        JobStatus = job.Status,
        Error = job.Error,
        StartedAt = job.StartedAt,
        CompletedAt = job.CompletedAt,
        FileId = job.FileId,
        TaskId = job.TaskId,
        VideoUri = keepVideoLink ? job.VideoUri : null,
    };

    /// <summary>Whether the record has what its type needs; an unknown type is not applied.</summary>
    private bool IsComplete() => Type switch
    {
        Header => true,
        Moved => Generation is not null,
        Intent => Key is not null && Provider is not null && Account is not null && InputHash is not null,
        Submitted => Key is not null && Provider is not null && JobId is not null,
        Unknown => Key is not null,
        Rejected => Key is not null,
        Status => Provider is not null && JobId is not null && JobStatus is not null,
        Downloaded => Provider is not null && JobId is not null && VideoPath is not null && VideoLength is not null,
        Downloading => Provider is not null && JobId is not null && VideoPath is not null && Owner is not null,
        Abandoned => Provider is not null && JobId is not null,
        Snapshot => Key is not null && Provider is not null && State is not null,
        _ => false,
    };
}
