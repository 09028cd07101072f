// The ledger's public face: the money protocol (which record to write, and when, so a create is never paid
// twice) and the lookups, each under one gate. It composes LedgerFile.cs (the bytes on disk and the lock) and
// LedgerIndex.cs (the entries they add up to); callers see only this type.
using System;
using System.Collections.Generic;
using System.IO;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>
/// The durable record of every paid create, so that running the same batch again never pays twice and never
/// loses a finished video. An append-only JSON Lines file, shared safely by threads and by processes.
/// </summary>
/// <remarks>
/// <para>The money protocol: <see cref="RecordIntent"/> before the create is sent, <see cref="RecordSubmitted(LedgerEntry, HailuoJob)"/>
/// as soon as it returns (or <see cref="RecordOutcomeUnknown"/> when it may or may not have arrived),
/// <see cref="RecordStatus"/> on each status change and <see cref="RecordDownloaded"/> once the video is saved.
/// An entry still <see cref="LedgerState.Submitting"/> after a crash means the outcome is unknown: report it,
/// never resubmit it silently.</para>
/// <para>Each record is one line written with one write call; the intent and the create's outcome are flushed to
/// disk before the method returns (see <see cref="LedgerFile.Append"/> for why only those).
/// A crash can leave a torn last line: readers skip lines that do not parse, and the next append starts a new line.</para>
/// <para>No secrets: the ledger has no field for a key. <c>account</c> is the caller's opaque fingerprint of the
/// account (for example the first hex digits of the key's SHA-256), never the key itself.</para>
/// </remarks>
public sealed class JobLedger : IDisposable
{
    public const string FileName = "ledger.jsonl";

    // One gate for both: every call catches the index up with the file, then reads or appends.
    private readonly object _gate = new();
    private readonly LedgerIndex _index = new();
    private readonly LedgerFile _file;
    private bool _disposed;

    /// <summary>The fewest lines at which appends compact the file, unless the ledger is opened with another.</summary>
    public const int DefaultAutoCompactFloor = 10_000;

    /// <summary>Opens (and creates, with its folder) the ledger at <paramref name="path"/> and reads it.</summary>
    /// <param name="path">The ledger file.</param>
    /// <param name="autoCompactFloor">
    /// The fewest lines at which appends compact the file (they compact once it also has several lines per job).
    /// </param>
    public JobLedger(string path, int autoCompactFloor = DefaultAutoCompactFloor)
        : this(path, autoCompactFloor, TimeProvider.System)
    {
    }

    /// <summary>As the public constructor, with records stamped by <paramref name="clock"/>, the client's (HailuoClientOptions.TimeProvider).</summary>
    /// <remarks>Internal: a TimeProvider in its signature would load a dependency of the engine into the cmdlets' context.</remarks>
    internal JobLedger(string path, int autoCompactFloor, TimeProvider clock)
    {
        if (path is null || path.Trim().Length == 0)
        {
            throw new ArgumentException("The ledger path is empty.", nameof(path));
        }
        if (autoCompactFloor < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(autoCompactFloor), autoCompactFloor, "The floor is at least one line.");
        }
        _file = new LedgerFile(path, _index, autoCompactFloor, clock);
        _file.Refresh();
    }

    /// <summary>The ledger file, as a full path.</summary>
    public string Path => _file.Path;

    /// <summary>How long an append or a compaction waits for another process's lock before it fails.</summary>
    internal TimeSpan LockTimeout
    {
        get => _file.LockTimeout;
        set => _file.LockTimeout = value;
    }

    /// <summary>
    /// The per-user ledger: <c>$HAILUO_DATA_HOME/ledger.jsonl</c> if set; else <c>%LOCALAPPDATA%\Hailuo</c> on Windows,
    /// <c>$XDG_DATA_HOME/hailuo</c> or <c>~/.local/share/hailuo</c> elsewhere.
    /// </summary>
    public static string DefaultPath() => UserFolders.DataFile(FileName);

    // ---- The money protocol ------------------------------------------------------------------------------

    /// <summary>
    /// Records that a create is about to be sent, before it is. Returns the entry, state <see cref="LedgerState.Submitting"/>.
    /// </summary>
    /// <param name="provider">Where the create will be sent.</param>
    /// <param name="account">An opaque fingerprint of the account, never the key.</param>
    /// <param name="inputHash">The caller's hash of the request, by which a re-run finds this entry.</param>
    /// <param name="request">What is asked for; a data: URI image is stored as its hash only.</param>
    /// <param name="tag">Free-form data to keep with the job, such as the CSV row it came from.</param>
    /// <param name="row">The input's row number, which later listings give the job back (file names use it).</param>
    public LedgerEntry RecordIntent(HailuoProvider provider, string account, string inputHash, VideoRequest request, IReadOnlyDictionary<string, string?> tag, long? row = null) =>
        WriteIntent(provider, account, inputHash, request, tag, row, stillTrue: null)!;

    /// <summary>
    /// Records an intent as <see cref="RecordIntent"/> does, but only while the latest entry for this input is still <paramref name="basedOn"/> (null: there is none), which
    /// is what the decision to pay was based on. Null, and nothing written, when another thread or process has written an
    /// entry for the input since: the caller must look again rather than pay a second time.
    /// </summary>
    public LedgerEntry? TryRecordIntent(HailuoProvider provider, string account, string inputHash, VideoRequest request,
        IReadOnlyDictionary<string, string?> tag, LedgerEntry? basedOn, long? row = null) =>
        WriteIntent(provider, account, inputHash, request, tag, row, () =>
            _index.FindByInput(provider, account, inputHash)?.Key == basedOn?.Key);

    private LedgerEntry? WriteIntent(HailuoProvider provider, string account, string inputHash, VideoRequest request,
        IReadOnlyDictionary<string, string?> tag, long? row, Func<bool>? stillTrue)
    {
        RequireText(account, nameof(account));
        RequireText(inputHash, nameof(inputHash));
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }
        var key = Guid.NewGuid().ToString("N");
        var record = new LedgerRecord
        {
            Type = LedgerRecord.Intent,
            Key = key,
            Provider = provider,
            Account = account,
            InputHash = inputHash,
            Model = request.EffectiveModel ?? request.Model ?? HailuoModels.Standard,
            Request = LedgerRequest.Scrub(request),
            Tag = LedgerRequest.Freeze(tag),
            Row = row,
            Owner = ProcessStamp.Current,
        };
        lock (_gate)
        {
            var written = false;
            // Checked under the cross-process lock, after catching up with the file: no one can write in between.
            Append(() =>
            {
                written = stillTrue is null || stillTrue();
                return written ? record : null;
            });
            if (!written)
            {
                return null;
            }
            return _index.FindByKey(key) ?? throw new IOException($"The intent written to {Path} could not be read back.");
        }
    }

    /// <summary>Records the job id the create returned.</summary>
    public void RecordSubmitted(LedgerEntry intent, HailuoJob job) => RecordSubmitted(intent, job, keepVideoLink: false);

    /// <summary>
    /// Records the job id the create returned, and with <paramref name="keepVideoLink"/> its video link: for a
    /// provider that gives the link only in this answer (ProviderProfile.GivesVideoLinkOnce).
    /// </summary>
    internal void RecordSubmitted(LedgerEntry intent, HailuoJob job, bool keepVideoLink)
    {
        if (intent is null)
        {
            throw new ArgumentNullException(nameof(intent));
        }
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }
        if (job.Provider != intent.Provider)
        {
            throw new ArgumentException($"The job is from {job.Provider} but the intent is for {intent.Provider}.", nameof(job));
        }
        lock (_gate)
        {
            Append(() =>
            {
                RequireKnown(intent);
                var record = LedgerRecord.FromJob(LedgerRecord.Submitted, job, keepVideoLink);
                record.Key = intent.Key;
                return record;
            });
        }
    }

    /// <summary>Records that the create may or may not have reached the provider (a timeout, a reset).</summary>
    public void RecordOutcomeUnknown(LedgerEntry intent, HailuoError error) => RecordFailedCreate(intent, error, LedgerRecord.Unknown, onlyWhileOpen: false);

    /// <summary>Records that the provider refused the create, so nothing was paid and the input may be sent again.</summary>
    public void RecordRejected(LedgerEntry intent, HailuoError error) => RecordFailedCreate(intent, error, LedgerRecord.Rejected, onlyWhileOpen: false);

    /// <summary>
    /// Records that a create whose answer was never recorded provably never reached the provider, so that its input may
    /// be sent again. Only the first to settle the entry writes: false, and nothing written, when another thread or
    /// process has settled it, or written a newer entry for its input, since it was read. That one sends it, not the caller.
    /// </summary>
    public bool RecordNeverArrived(LedgerEntry intent, HailuoError error) =>
        RecordFailedCreate(intent, error, LedgerRecord.Rejected, onlyWhileOpen: true);

    /// <summary>
    /// Writes a create's failure; with <paramref name="onlyWhileOpen"/>, only while the entry is still unsettled and the
    /// latest for its input. True when it was written.
    /// </summary>
    private bool RecordFailedCreate(LedgerEntry intent, HailuoError error, string type, bool onlyWhileOpen)
    {
        if (intent is null)
        {
            throw new ArgumentNullException(nameof(intent));
        }
        if (error is null)
        {
            throw new ArgumentNullException(nameof(error));
        }
        var written = false;
        lock (_gate)
        {
            Append(() =>
            {
                var entry = RequireKnown(intent);
                if (onlyWhileOpen
                    && (entry.State is not (LedgerState.Submitting or LedgerState.OutcomeUnknown) || !_index.IsLatestForInput(intent.Key)))
                {
                    return null;
                }
                written = true;
                return new LedgerRecord { Type = type, Key = intent.Key, Error = error };
            });
        }
        return written;
    }

    /// <summary>
    /// Records a job's status, error and times (not its link, which expires). Writes nothing when the ledger
    /// already has exactly this, so it is safe to call on every poll. A job the ledger did not submit is added.
    /// </summary>
    public void RecordStatus(HailuoJob job)
    {
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }
        lock (_gate)
        {
            Append(durable: false, build: () =>
            {
                var known = _index.FindById(job.Provider, job.Id);
                if (known is not null && IsUnchanged(known, job))
                {
                    return null;
                }
                var record = LedgerRecord.FromJob(LedgerRecord.Status, job);
                if (known is null)
                {
                    // First heard of here: keep what the job knows of itself.
                    record.CreatedAt = job.CreatedAt;
                    record.InputHash = job.InputHash;
                    record.Request = job.Request is null ? null : LedgerRequest.Scrub(job.Request);
                    record.Tag = LedgerRequest.Freeze(job.Tag);
                }
                return record;
            });
        }
    }

    /// <summary>Records where a job's video was saved and how long it is.</summary>
    public void RecordDownloaded(HailuoProvider provider, string jobId, string path, long length)
    {
        RequireText(jobId, nameof(jobId));
        RequireText(path, nameof(path));
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A file length cannot be negative.");
        }
        var fullPath = System.IO.Path.GetFullPath(path);
        lock (_gate)
        {
            Append(durable: false, build: () => new LedgerRecord
            {
                Type = LedgerRecord.Downloaded,
                Provider = provider,
                JobId = jobId,
                VideoPath = fullPath,
                VideoLength = length,
            });
        }
    }

    /// <summary>
    /// Claims the download of a job's video into <paramref name="path"/> for this process, unless another process that
    /// still runs is writing that file now: then nothing is written and that process is returned, for the caller to
    /// wait on. Null means the claim is this process's; end it with <see cref="RecordDownloaded"/> or
    /// <see cref="RecordDownloadAbandoned"/>.
    /// </summary>
    public ProcessStamp? TryClaimDownload(HailuoProvider provider, string jobId, string path)
    {
        RequireText(jobId, nameof(jobId));
        var fullPath = System.IO.Path.GetFullPath(path);
        ProcessStamp? holder = null;
        lock (_gate)
        {
            // Decided under the cross-process lock, after catching up with the file: two processes cannot both claim.
            Append(durable: false, build: () =>
            {
                if (_index.FindById(provider, jobId) is { Downloader: { } other } entry && !other.IsCurrent
                    && string.Equals(entry.DownloadingTo, fullPath, StringComparison.Ordinal) && other.IsAlive())
                {
                    holder = other;
                    return null;
                }
                return new LedgerRecord { Type = LedgerRecord.Downloading, Provider = provider, JobId = jobId, VideoPath = fullPath, Owner = ProcessStamp.Current };
            });
        }
        return holder;
    }

    /// <summary>Ends this process's claim on a download that did not finish, so that another process may take it up.</summary>
    public void RecordDownloadAbandoned(HailuoProvider provider, string jobId)
    {
        RequireText(jobId, nameof(jobId));
        lock (_gate)
        {
            Append(durable: false, build: () => new LedgerRecord { Type = LedgerRecord.Abandoned, Provider = provider, JobId = jobId });
        }
    }

    // ---- Lookups -----------------------------------------------------------------------------------------

    /// <summary>The latest entry for this input, so that a re-run reuses its job; null when there is none.</summary>
    public LedgerEntry? FindByInput(HailuoProvider provider, string account, string inputHash)
    {
        if (account is null || inputHash is null)
        {
            return null;
        }
        lock (_gate)
        {
            ThrowIfDisposed();
            _file.Refresh();
            return _index.FindByInput(provider, account, inputHash);
        }
    }

    /// <summary>The entry for this job id; null when there is none.</summary>
    public LedgerEntry? FindById(HailuoProvider provider, string jobId)
    {
        if (jobId is null)
        {
            return null;
        }
        lock (_gate)
        {
            ThrowIfDisposed();
            _file.Refresh();
            return _index.FindById(provider, jobId);
        }
    }

    /// <summary>The entry whose video the ledger says was saved at <paramref name="fullPath"/>; null when there is none.</summary>
    public LedgerEntry? FindByVideoPath(string fullPath)
    {
        if (fullPath is null)
        {
            return null;
        }
        lock (_gate)
        {
            ThrowIfDisposed();
            _file.Refresh();
            return _index.FindByVideoPath(fullPath);
        }
    }

    /// <summary>The entries that match, newest first (by <see cref="LedgerEntry.CreatedAt"/>, then by order recorded).</summary>
    public IReadOnlyList<LedgerEntry> List(LedgerQuery query)
    {
        query ??= LedgerQuery.All;
        if (query.First is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.First, "First cannot be negative.");
        }
        List<(LedgerEntry Entry, long Sequence)> matches;
        lock (_gate)
        {
            ThrowIfDisposed();
            _file.Refresh();
            matches = _index.Matching(query);
        }
        // The snapshots are immutable, so sorting needs no lock.
        return LedgerIndex.NewestFirst(matches, query.First);
    }

    // ---- Compaction ----------------------------------------------------------------------------------------

    /// <summary>
    /// Rewrites the file as one snapshot line per job. Appends from other processes are never lost: they take
    /// the same lock (see <see cref="LedgerFile.Append"/>).
    /// </summary>
    public void Compact()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _file.Compact();
        }
    }

    /// <summary>
    /// Lines in the file, live jobs and index sizes, so that tests can check that lookups go through the
    /// indexes and what compaction did.
    /// </summary>
    internal (int Lines, int Jobs, int ByInput, int ById) Counts
    {
        get
        {
            lock (_gate)
            {
                ThrowIfDisposed();
                _file.Refresh();
                return (_file.Lines, _index.Jobs, _index.ByInputCount, _index.ByIdCount);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _file.Dispose();
        }
    }

    /// <summary>
    /// Appends one record under the cross-process lock, built once the ledger has caught up with other processes
    /// (build returns null to write nothing). Only the records money depends on are durable: see
    /// <see cref="LedgerFile.Append"/>.
    /// </summary>
    private void Append(Func<LedgerRecord?> build, bool durable = true)
    {
        ThrowIfDisposed();
        _file.Append(build, durable);
    }

    private static bool IsUnchanged(LedgerEntry e, HailuoJob job) =>
        e.State == LedgerState.Submitted
        && e.Status == job.Status
        && SameError(e.Error, job.Error)
        && (job.StartedAt is null || job.StartedAt == e.StartedAt)
        && (job.CompletedAt is null || job.CompletedAt == e.CompletedAt)
        && (job.FileId is null || job.FileId == e.FileId)
        && (job.TaskId is null || job.TaskId == e.TaskId)
        && job.Model == e.Model;

    private static bool SameError(HailuoError? a, HailuoError? b) =>
        a is null ? b is null : b is not null && a.Kind == b.Kind && a.Code == b.Code && a.Message == b.Message;

    private LedgerEntry RequireKnown(LedgerEntry intent) =>
        _index.FindByKey(intent.Key)
        ?? throw new ArgumentException($"The entry {intent.Key} is not in the ledger {Path}.", nameof(intent));

    private static void RequireText(string value, string name)
    {
        if (value is null || value.Length == 0)
        {
            throw new ArgumentException($"{name} is empty.", name);
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(JobLedger));
        }
    }
}
