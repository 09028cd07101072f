using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Hailuo.Models;

namespace Hailuo.Ledger;

/// <summary>
/// The durable record of every paid create, so that running the same batch again never pays twice and never
/// loses a finished video. An append-only JSON Lines file, shared safely by threads and by processes.
/// </summary>
/// <remarks>
/// <para>The money protocol: <see cref="RecordIntent"/> before the create is sent, <see cref="RecordSubmitted"/>
/// as soon as it returns (or <see cref="RecordOutcomeUnknown"/> when it may or may not have arrived),
/// <see cref="RecordStatus"/> on each status change and <see cref="RecordDownloaded"/> once the video is saved.
/// An entry still <see cref="LedgerState.Submitting"/> after a crash means the outcome is unknown: report it,
/// never resubmit it silently.</para>
/// <para>Each record is one line written with one write call and flushed to disk before the method returns.
/// A crash can leave a torn last line: readers skip lines that do not parse, and the next append starts a new line.</para>
/// <para>No secrets: the ledger has no field for a key. <c>account</c> is the caller's opaque fingerprint of the
/// account (for example the first hex digits of the key's SHA-256), never the key itself.</para>
/// </remarks>
public sealed class JobLedger : IDisposable
{
    public const string FileName = "ledger.jsonl";

    // Compact when the file has more than max(10,000, 4 per job) lines: a job needs about five, so a ledger
    // compacts after every few thousand jobs and never holds much more than four times what it must.
    private const int CompactLinesPerJob = 4;
    private const int MaxReloadsPerRead = 8;
    private const FileShare Sharing = FileShare.ReadWrite | FileShare.Delete;

    private readonly object _gate = new();
    private readonly Utf8StringPool _strings = new();
    private readonly string _lockPath;

    // The state read so far: every entry in file order, and the O(1) indexes over it.
    private readonly Dictionary<string, Slot> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<(HailuoProvider Provider, string Account, string InputHash), Slot> _byInput = new();
    private readonly Dictionary<(HailuoProvider Provider, string JobId), Slot> _byId = new();
    // Where each video was saved; checked against the entry on lookup, so a slot that moved on is not believed.
    private readonly Dictionary<string, Slot> _byVideoPath = new(StringComparer.Ordinal);
    private List<Slot> _order = new();
    private int _live;
    private long _sequence;

    // The file as read so far. The handle stays open so that "has anything changed?" is one fstat of it.
    private FileStream _read;
    private long _offset;       // just past the last complete line applied
    private long _seenLength = -1;
    private int _lines;         // lines in the current file, torn ones included, for auto-compaction
    private long _nextAutoCompact;
    private string? _generation;
    private byte[] _buffer = new byte[64 * 1024];
    private bool _disposed;

    /// <summary>Opens (and creates, with its folder) the ledger at <paramref name="path"/> and reads it.</summary>
    public JobLedger(string path)
    {
        if (path is null || path.Trim().Length == 0)
        {
            throw new ArgumentException("The ledger path is empty.", nameof(path));
        }
        Path = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
        _lockPath = Path + ".lock";
        _read = OpenRead();
        Refresh();
    }

    /// <summary>The ledger file, as a full path.</summary>
    public string Path { get; }

    /// <summary>How long an append or a compaction waits for another process's lock before it fails.</summary>
    internal TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The fewest lines at which appends compact the file; lowered by tests.</summary>
    internal int AutoCompactFloor { get; set; } = 10_000;

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
            (_byInput.TryGetValue((provider, account, inputHash), out var latest) ? latest.Entry.Key : null) == basedOn?.Key);

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
            return _byKey.TryGetValue(key, out var slot)
                ? slot.Entry
                : throw new IOException($"The intent written to {Path} could not be read back.");
        }
    }

    /// <summary>Records the job id the create returned.</summary>
    public void RecordSubmitted(LedgerEntry intent, HailuoJob job)
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
                var record = LedgerRecord.FromJob(LedgerRecord.Submitted, job);
                record.Key = intent.Key;
                return record;
            });
        }
    }

    /// <summary>Records that the create may or may not have reached the provider (a timeout, a reset).</summary>
    public void RecordOutcomeUnknown(LedgerEntry intent, HailuoError error) => RecordFailedCreate(intent, error, LedgerRecord.Unknown);

    /// <summary>Records that the provider refused the create, so nothing was paid and the input may be sent again.</summary>
    public void RecordRejected(LedgerEntry intent, HailuoError error) => RecordFailedCreate(intent, error, LedgerRecord.Rejected);

    /// <summary>
    /// Records that a create whose answer was never recorded provably never reached the provider, so that its input may
    /// be sent again. Only the first to settle the entry writes: false, and nothing written, when another thread or
    /// process has settled it, or written a newer entry for its input, since it was read. That one sends it, not the caller.
    /// </summary>
    public bool RecordNeverArrived(LedgerEntry intent, HailuoError error)
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
                RequireKnown(intent);
                var slot = _byKey[intent.Key];
                var entry = slot.Entry;
                var open = entry.State is LedgerState.Submitting or LedgerState.OutcomeUnknown;
                var latest = entry.Account is null || entry.InputHash is null
                    || (_byInput.TryGetValue((entry.Provider, entry.Account, entry.InputHash), out var newest) && newest == slot);
                if (!open || !latest)
                {
                    return null;
                }
                written = true;
                return new LedgerRecord { Type = LedgerRecord.Rejected, Key = intent.Key, Error = error };
            });
        }
        return written;
    }

    private void RecordFailedCreate(LedgerEntry intent, HailuoError error, string type)
    {
        if (intent is null)
        {
            throw new ArgumentNullException(nameof(intent));
        }
        if (error is null)
        {
            throw new ArgumentNullException(nameof(error));
        }
        lock (_gate)
        {
            Append(() =>
            {
                RequireKnown(intent);
                return new LedgerRecord { Type = type, Key = intent.Key, Error = error };
            });
        }
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
                _byId.TryGetValue((job.Provider, job.Id), out var slot);
                if (slot is not null && IsUnchanged(slot.Entry, job))
                {
                    return null;
                }
                var record = LedgerRecord.FromJob(LedgerRecord.Status, job);
                if (slot is null)
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
                if (_byId.TryGetValue((provider, jobId), out var slot)
                    && slot.Entry.Downloader is { } other && !other.IsCurrent
                    && string.Equals(slot.Entry.DownloadingTo, fullPath, StringComparison.Ordinal) && other.IsAlive())
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
            Refresh();
            return _byInput.TryGetValue((provider, account, inputHash), out var slot) ? slot.Entry : null;
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
            Refresh();
            return _byId.TryGetValue((provider, jobId), out var slot) ? slot.Entry : null;
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
            Refresh();
            return _byVideoPath.TryGetValue(fullPath, out var slot) && !slot.Removed && slot.Entry.VideoPath == fullPath ? slot.Entry : null;
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
        var matches = new List<(LedgerEntry Entry, long Sequence)>();
        lock (_gate)
        {
            ThrowIfDisposed();
            Refresh();
            foreach (var slot in _order)
            {
                if (!slot.Removed && query.Matches(slot.Entry))
                {
                    matches.Add((slot.Entry, slot.Sequence));
                }
            }
        }
        // The snapshots are immutable, so sorting needs no lock.
        matches.Sort(static (a, b) =>
        {
            var byTime = b.Entry.CreatedAt.CompareTo(a.Entry.CreatedAt);
            return byTime != 0 ? byTime : b.Sequence.CompareTo(a.Sequence);
        });
        var count = query.First is { } first ? Math.Min(first, matches.Count) : matches.Count;
        var result = new LedgerEntry[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = matches[i].Entry;
        }
        return result;
    }

    // ---- Compaction ----------------------------------------------------------------------------------------

    /// <summary>
    /// Rewrites the file as one snapshot line per job. Appends from other processes are never lost: they take
    /// the same lock (see <see cref="Append"/>).
    /// </summary>
    public void Compact()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var held = LedgerFileLock.Acquire(_lockPath, LockTimeout);
            CompactLocked();
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
                Refresh();
                return (_lines, _live, _byInput.Count, _byId.Count);
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
            _read.Dispose();
        }
    }

    // ---- Writing -------------------------------------------------------------------------------------------

    /// <summary>
    /// Appends one record, built once the ledger has caught up with other processes (build returns null to
    /// write nothing), then reads it back so that this instance sees records in the file's order.
    /// </summary>
    /// <remarks>
    /// Every append holds the cross-process lock, the same one compaction holds. Why a lock rather than
    /// re-appending the tail after the swap: a process still holding the replaced file would keep writing into
    /// a file nobody reads, and a re-appended tail could duplicate or reorder records. It is also what makes the
    /// append itself safe, since .NET's FileMode.Append does not open with O_APPEND on Unix (it writes at its own
    /// position), so two unlocked appenders could overwrite each other. Appends are a handful per paid video,
    /// so one lock-file open per append costs nothing that matters.
    /// Only the records that money depends on (the intent before a create is sent, and the create's outcome) are
    /// flushed to disk before the call returns. A status or download record reaches the kernel at once, so it
    /// survives the process being killed; after a power cut its loss costs one more poll or a check of the file,
    /// never a create, which saves three of a job's five disk flushes.
    /// </remarks>
    private void Append(Func<LedgerRecord?> build, bool durable = true)
    {
        ThrowIfDisposed();
        using var held = LedgerFileLock.Acquire(_lockPath, LockTimeout);
        Refresh();
        using var output = new FileStream(Path, FileMode.Append, FileAccess.Write, Sharing, bufferSize: 1, FileOptions.None);
        if (output.Length != _read.Length)
        {
            // Under the lock nobody is writing, so a different length means the path is not the file we have
            // been reading (replaced or deleted by someone who did not take the lock): start over from the path.
            Reload();
        }
        var record = build();
        if (record is null)
        {
            return;
        }
        record.At = DateTimeOffset.UtcNow;
        var line = record.ToLine();
        // Under the lock, bytes past the last complete line can only be a torn line from a crash: end it first,
        // in the same write, so that this record starts on its own line.
        var torn = output.Length > _offset;
        var bytes = line;
        if (torn)
        {
            bytes = new byte[line.Length + 1];
            bytes[0] = (byte)'\n';
            Buffer.BlockCopy(line, 0, bytes, 1, line.Length);
        }
        output.Write(bytes, 0, bytes.Length);
        output.Flush(flushToDisk: durable);
        Refresh();
        MaybeCompact();
    }

    private void MaybeCompact()
    {
        if (_lines <= Math.Max(AutoCompactFloor, CompactLinesPerJob * (long)_live) || _lines < _nextAutoCompact)
        {
            return;
        }
        try
        {
            CompactLocked();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Compaction only saves space and read time; the record is already safe. Try again much later.
            _nextAutoCompact = _lines * 2L;
        }
    }

    /// <summary>Compaction proper; the caller holds the gate and the cross-process lock.</summary>
    private void CompactLocked()
    {
        Refresh();
        // The old file, held open to tell readers still on it where to go once it has been replaced.
        using var old = new FileStream(Path, FileMode.Append, FileAccess.Write, Sharing, bufferSize: 1, FileOptions.None);
        if (old.Length != _read.Length)
        {
            Reload();
        }
        var folder = System.IO.Path.GetDirectoryName(Path) ?? ".";
        var name = System.IO.Path.GetFileName(Path);
        // Under the lock nobody else is compacting, so any temp file left here is from a compaction that crashed.
        foreach (var stale in Directory.GetFiles(folder, name + ".*.tmp"))
        {
            TryDelete(stale);
        }
        var generation = Guid.NewGuid().ToString("N");
        var temp = System.IO.Path.Combine(folder, name + "." + generation + ".tmp");
        var kept = new List<Slot>(_live);
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None))
            using (var output = new BufferedStream(file, 256 * 1024))
            {
                var now = DateTimeOffset.UtcNow;
                new LedgerRecord { Type = LedgerRecord.Header, At = now, Generation = generation }.WriteLine(output);
                foreach (var slot in _order)
                {
                    if (!slot.Removed)
                    {
                        LedgerRecord.FromEntry(slot.Entry, slot.Entry.UpdatedAt).WriteLine(output);
                        kept.Add(slot);
                    }
                }
                output.Flush();
                file.Flush(flushToDisk: true);
            }
            if (File.Exists(Path))
            {
                File.Replace(temp, Path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temp, Path);
            }
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        // Readers still on the old file see this marker and reopen the path.
        var marker = new LedgerRecord { Type = LedgerRecord.Moved, At = DateTimeOffset.UtcNow, Generation = generation }.ToLine();
        try
        {
            old.Write(marker, 0, marker.Length);
            old.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Their next append notices the path changed under them (see Append); only their reads lag until then.
        }

        // The state in memory is exactly what was written; only the file position changes.
        _read.Dispose();
        _read = OpenRead();
        _order = kept;
        _generation = generation;
        _lines = kept.Count + 1;
        _offset = _read.Length;
        _seenLength = -1;
        _nextAutoCompact = 0;
    }

    // ---- Reading -------------------------------------------------------------------------------------------

    private FileStream OpenRead() =>
        // No FileStream buffer: another process appends behind our back, and we read in big chunks anyway.
        new(Path, FileMode.OpenOrCreate, FileAccess.Read, Sharing, bufferSize: 1, FileOptions.None);

    /// <summary>Reads what was appended since the last read; one fstat when nothing was.</summary>
    private void Refresh()
    {
        var reloads = 0;
        while (!ReadNew())
        {
            if (++reloads > MaxReloadsPerRead)
            {
                throw new IOException($"The ledger {Path} kept being replaced while it was read.");
            }
            Reload(readNow: false);
        }
    }

    /// <summary>Drops everything read and reads the file at the path from its start.</summary>
    private void Reload(bool readNow = true)
    {
        _read.Dispose();
        _read = OpenRead();
        _byKey.Clear();
        _byInput.Clear();
        _byId.Clear();
        _byVideoPath.Clear();
        _order = new List<Slot>();
        _live = 0;
        _offset = 0;
        _seenLength = -1;
        _lines = 0;
        _generation = null;
        if (readNow)
        {
            Refresh();
        }
    }

    /// <summary>Applies the complete lines past the offset; false when the file was replaced and must be reopened.</summary>
    private bool ReadNew()
    {
        var length = _read.Length;
        if (length == _seenLength)
        {
            return true;
        }
        if (length < _offset)
        {
            return false; // truncated or swapped under us
        }
        _read.Seek(_offset, SeekOrigin.Begin);
        var filled = 0;
        var remaining = length - _offset;
        while (remaining > 0)
        {
            if (filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2); // one line longer than the buffer
            }
            var got = _read.Read(_buffer, filled, (int)Math.Min(_buffer.Length - filled, remaining));
            if (got == 0)
            {
                _seenLength = -1; // shorter than it said: look again next time
                return true;
            }
            filled += got;
            remaining -= got;
            var start = 0;
            while (true)
            {
                var newline = _buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }
                var line = _buffer.AsSpan(start, newline);
                start += newline + 1;
                _offset += newline + 1;
                if (!ApplyLine(line))
                {
                    return false;
                }
            }
            // Keep the start of an unfinished line for the next chunk. A line still unfinished at the end is
            // either being written (complete next time) or torn by a crash (ended by the next append).
            if (start > 0)
            {
                Buffer.BlockCopy(_buffer, start, _buffer, 0, filled - start);
                filled -= start;
            }
        }
        _seenLength = length;
        return true;
    }

    private bool ApplyLine(ReadOnlySpan<byte> line)
    {
        _lines++;
        if (line.IsEmpty || (line.Length == 1 && line[0] == (byte)'\r'))
        {
            return true;
        }
        var record = LedgerRecordJson.TryParse(line, _strings);
        if (record is null)
        {
            return true; // torn by a crash, or not ours: skipped
        }
        if (record.Type == LedgerRecord.Moved)
        {
            // This file was replaced by a compaction; ignore a marker that points to the file we already read.
            return record.Generation == _generation;
        }
        Apply(record);
        return true;
    }

    private void Apply(LedgerRecord r)
    {
        switch (r.Type)
        {
            case LedgerRecord.Header:
                _generation = r.Generation;
                break;

            case LedgerRecord.Intent:
            {
                if (_byKey.ContainsKey(r.Key!))
                {
                    break;
                }
                var entry = new LedgerEntry(r.Key!, r.Provider!.Value)
                    .SetInput(r.Account, r.InputHash, r.Model, r.Request, r.Tag ?? LedgerEntry.NoTag, r.Row)
                    .SetOwner(r.Owner)
                    .SetState(LedgerState.Submitting)
                    .SetTimes(r.At, r.At);
                Index(Add(entry, fromIntent: true));
                break;
            }

            case LedgerRecord.Submitted:
            {
                if (!_byKey.TryGetValue(r.Key!, out var slot) || slot.Removed)
                {
                    break;
                }
                var entry = slot.Entry.Copy()
                    .SetState(LedgerState.Submitted, r.JobId)
                    .SetError(null)
                    .SetInput(null, null, r.Model, null, null)
                    .SetTimes(null, r.At);
                if (r.JobStatus is not null)
                {
                    entry.SetStatus(r.JobStatus, r.Error, r.StartedAt, r.CompletedAt, r.FileId, r.TaskId);
                }
                var id = (entry.Provider, r.JobId!);
                if (_byId.TryGetValue(id, out var other) && other != slot && !other.FromIntent)
                {
                    // The job was first seen by a status read before this record arrived: fold it in.
                    entry = Fold(entry, other.Entry);
                    Remove(other);
                }
                if (slot.Entry.JobId is { } oldId && oldId != r.JobId && _byId.TryGetValue((entry.Provider, oldId), out var was) && was == slot)
                {
                    _byId.Remove((entry.Provider, oldId));
                }
                slot.Entry = entry;
                _byId[id] = slot;
                IndexVideoPath(slot); // a download folded in from a status-only entry
                break;
            }

            case LedgerRecord.Unknown:
            case LedgerRecord.Rejected:
            {
                // A job id, once known, outranks a late "unknown" or "rejected".
                if (_byKey.TryGetValue(r.Key!, out var slot) && !slot.Removed && slot.Entry.State != LedgerState.Submitted)
                {
                    var state = r.Type == LedgerRecord.Rejected ? LedgerState.Rejected : LedgerState.OutcomeUnknown;
                    slot.Entry = slot.Entry.Copy().SetState(state).SetError(r.Error).SetTimes(null, r.At);
                }
                break;
            }

            case LedgerRecord.Status:
            {
                var slot = FindOrAddJob(r);
                slot.Entry = slot.Entry.Copy()
                    .SetState(LedgerState.Submitted, r.JobId)
                    .SetInput(null, null, r.Model, null, null)
                    .SetStatus(r.JobStatus, r.Error, r.StartedAt, r.CompletedAt, r.FileId, r.TaskId)
                    .SetTimes(null, r.At);
                break;
            }

            case LedgerRecord.Downloaded:
            {
                var slot = FindOrAddJob(r);
                slot.Entry = slot.Entry.Copy().SetDownload(r.VideoPath, r.VideoLength).SetDownloading(null, null).SetTimes(null, r.At);
                IndexVideoPath(slot);
                break;
            }

            case LedgerRecord.Downloading:
            {
                var slot = FindOrAddJob(r);
                slot.Entry = slot.Entry.Copy().SetDownloading(r.VideoPath, r.Owner).SetTimes(null, r.At);
                break;
            }

            case LedgerRecord.Abandoned:
            {
                if (_byId.TryGetValue((r.Provider!.Value, r.JobId!), out var slot))
                {
                    slot.Entry = slot.Entry.Copy().SetDownloading(null, null).SetTimes(null, r.At);
                }
                break;
            }

            case LedgerRecord.Snapshot:
            {
                var entry = new LedgerEntry(r.Key!, r.Provider!.Value)
                    .SetInput(r.Account, r.InputHash, r.Model, r.Request, r.Tag ?? LedgerEntry.NoTag, r.Row)
                    .SetState(r.State!.Value, r.JobId)
                    .SetStatus(r.JobStatus, r.Error, r.StartedAt, r.CompletedAt, r.FileId, r.TaskId)
                    .SetDownload(r.VideoPath, r.VideoLength)
                    .SetOwner(r.Owner)
                    .SetDownloading(r.DownloadingTo, r.Downloader)
                    .SetTimes(r.CreatedAt ?? r.At, r.At);
                if (_byKey.TryGetValue(r.Key!, out var slot) && !slot.Removed)
                {
                    slot.Entry = entry;
                }
                else
                {
                    slot = Add(entry, fromIntent: r.Account is not null);
                }
                Index(slot);
                break;
            }
        }
    }

    /// <summary>The entry for a status or download record's job, added when the ledger has not seen it.</summary>
    private Slot FindOrAddJob(LedgerRecord r)
    {
        if (_byId.TryGetValue((r.Provider!.Value, r.JobId!), out var slot))
        {
            return slot;
        }
        var key = $"job:{r.Provider}:{r.JobId}";
        if (_byKey.ContainsKey(key))
        {
            key += ":" + _sequence;
        }
        var entry = new LedgerEntry(key, r.Provider.Value)
            .SetInput(null, r.InputHash, r.Model, r.Request, r.Tag ?? LedgerEntry.NoTag)
            .SetState(LedgerState.Submitted, r.JobId)
            .SetTimes(r.CreatedAt ?? r.At, r.At);
        slot = Add(entry, fromIntent: false);
        _byId[(r.Provider.Value, r.JobId!)] = slot;
        return slot;
    }

    private static LedgerEntry Fold(LedgerEntry into, LedgerEntry from)
    {
        if (into.Status is null && from.Status is not null)
        {
            into.SetStatus(from.Status, from.Error, from.StartedAt, from.CompletedAt, from.FileId, from.TaskId);
        }
        if (into.VideoPath is null && from.VideoPath is not null)
        {
            into.SetDownload(from.VideoPath, from.VideoLength);
        }
        return into;
    }

    private Slot Add(LedgerEntry entry, bool fromIntent)
    {
        var slot = new Slot(entry, _sequence++, fromIntent);
        _byKey[entry.Key] = slot;
        _order.Add(slot);
        _live++;
        return slot;
    }

    private void Index(Slot slot)
    {
        var entry = slot.Entry;
        if (entry.Account is not null && entry.InputHash is not null)
        {
            _byInput[(entry.Provider, entry.Account, entry.InputHash)] = slot; // later lines win: the latest entry
        }
        if (entry.JobId is not null)
        {
            _byId[(entry.Provider, entry.JobId)] = slot;
        }
        IndexVideoPath(slot);
    }

    private void IndexVideoPath(Slot slot)
    {
        if (slot.Entry.VideoPath is { } path)
        {
            _byVideoPath[path] = slot;
        }
    }

    private void Remove(Slot slot)
    {
        slot.Removed = true;
        _byKey.Remove(slot.Entry.Key);
        _live--;
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

    private void RequireKnown(LedgerEntry intent)
    {
        if (!_byKey.TryGetValue(intent.Key, out var slot) || slot.Removed)
        {
            throw new ArgumentException($"The entry {intent.Key} is not in the ledger {Path}.", nameof(intent));
        }
    }

    private static void RequireText(string value, string name)
    {
        if (value is null || value.Length == 0)
        {
            throw new ArgumentException($"{name} is empty.", name);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A stray temp file is harmless.
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(JobLedger));
        }
    }

    private sealed class Slot
    {
        public Slot(LedgerEntry entry, long sequence, bool fromIntent)
        {
            Entry = entry;
            Sequence = sequence;
            FromIntent = fromIntent;
        }

        /// <summary>The latest snapshot; replaced, never changed.</summary>
        public LedgerEntry Entry { get; set; }

        public long Sequence { get; }

        public bool FromIntent { get; }

        public bool Removed { get; set; }
    }
}
