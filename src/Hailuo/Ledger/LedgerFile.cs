// The ledger's file protocol: the cross-process lock, appending a record as one write (ending a torn line
// first), reading what others appended with torn and unfinished lines skipped, and compaction by atomic
// replace with a moved marker for readers on the old file. Apart from LedgerIndex.cs so that every rule about
// the bytes on disk and who may write them is in one place, and the state built from them in another.
using System;
using System.IO;

namespace Hailuo.Ledger;

/// <summary>
/// One ledger file as this process sees it: a read handle kept open, the offset just past the last complete line,
/// and the <see cref="ILedgerState"/> it keeps in step. Not thread-safe: <see cref="JobLedger"/> holds its gate
/// around every call.
/// </summary>
internal sealed class LedgerFile : IDisposable
{
    // Compact when the file has more than max(10,000, 4 per job) lines: a job needs about five, so a ledger
    // compacts after every few thousand jobs and never holds much more than four times what it must.
    private const int CompactLinesPerJob = 4;
    private const int MaxReloadsPerRead = 8;
    private const FileShare Sharing = FileShare.ReadWrite | FileShare.Delete;

    private readonly ILedgerState _state;
    private readonly Utf8StringPool _strings = new();
    private readonly string _lockPath;
    private readonly TimeProvider _clock;

    // The file as read so far. The handle stays open so that "has anything changed?" is one fstat of it.
    private FileStream _read;
    private long _offset;       // just past the last complete line applied
    private long _seenLength = -1;
    private int _lines;         // lines in the current file, torn ones included, for auto-compaction
    private long _nextAutoCompact;
    private string? _generation;
    private byte[] _buffer = new byte[64 * 1024];

    /// <summary>Opens (and creates, with its folder) the file at <paramref name="path"/>; <see cref="Refresh"/> reads it.</summary>
    public LedgerFile(string path, ILedgerState state, int autoCompactFloor = JobLedger.DefaultAutoCompactFloor, TimeProvider? clock = null)
    {
        _state = state;
        AutoCompactFloor = autoCompactFloor;
        _clock = clock ?? TimeProvider.System;
        Path = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
        _lockPath = Path + ".lock";
        _read = OpenRead();
    }

    /// <summary>The file, as a full path.</summary>
    public string Path { get; }

    /// <summary>How long an append or a compaction waits for another process's lock before it fails.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The fewest lines at which appends compact the file.</summary>
    public int AutoCompactFloor { get; }

    /// <summary>Lines in the file as read so far, torn ones included.</summary>
    public int Lines => _lines;

    public void Dispose() => _read.Dispose();

    // ---- Writing -------------------------------------------------------------------------------------------

    /// <summary>
    /// Appends one record, built once the ledger has caught up with other processes (build returns null to
    /// write nothing), then reads it back so that the state sees records in the file's order.
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
    /// <param name="build">Makes the record once the file is caught up with; null writes nothing.</param>
    /// <param name="durable">Flush to disk before returning, not only to the kernel.</param>
    public void Append(Func<LedgerRecord?> build, bool durable)
    {
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
        record.At = _clock.GetUtcNow();
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

    /// <summary>
    /// Rewrites the file as one snapshot line per job. Appends from other processes are never lost: they take
    /// the same lock (see <see cref="Append"/>).
    /// </summary>
    public void Compact()
    {
        using var held = LedgerFileLock.Acquire(_lockPath, LockTimeout);
        CompactLocked();
    }

    private void MaybeCompact()
    {
        if (_lines <= Math.Max(AutoCompactFloor, CompactLinesPerJob * (long)_state.Jobs) || _lines < _nextAutoCompact)
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
        var written = 0;
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None))
            using (var output = new BufferedStream(file, 256 * 1024))
            {
                var now = _clock.GetUtcNow();
                new LedgerRecord { Type = LedgerRecord.Header, At = now, Generation = generation }.WriteLine(output);
                foreach (var snapshot in _state.Snapshots())
                {
                    snapshot.WriteLine(output);
                    written++;
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
        var marker = new LedgerRecord { Type = LedgerRecord.Moved, At = _clock.GetUtcNow(), Generation = generation }.ToLine();
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
        _generation = generation;
        _lines = written + 1;
        _offset = _read.Length;
        _seenLength = -1;
        _nextAutoCompact = 0;
    }

    // ---- Reading -------------------------------------------------------------------------------------------

    private FileStream OpenRead() =>
        // No FileStream buffer: another process appends behind our back, and we read in big chunks anyway.
        new(Path, FileMode.OpenOrCreate, FileAccess.Read, Sharing, bufferSize: 1, FileOptions.None);

    /// <summary>Reads what was appended since the last read; one fstat when nothing was.</summary>
    public void Refresh()
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
        _state.Clear();
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
        var record = LedgerRecord.TryParse(line, _strings);
        if (record is null)
        {
            return true; // torn by a crash, or not ours: skipped
        }
        if (record.Type == LedgerRecord.Moved)
        {
            // This file was replaced by a compaction; ignore a marker that points to the file we already read.
            return record.Generation == _generation;
        }
        if (record.Type == LedgerRecord.Header)
        {
            _generation = record.Generation;
            return true;
        }
        _state.Apply(record);
        return true;
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
}
