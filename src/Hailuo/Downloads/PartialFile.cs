using System;
using System.Collections.Concurrent;
using System.IO;
using Hailuo.Media;
using Hailuo.Models;

namespace Hailuo.Downloads;

/// <summary>
/// The life of a download's temp file, <c>.NAME.RANDOM.partial</c> beside the destination: created empty, written by
/// the transfer, emptied to start over, checked to be the whole MP4, then renamed into place in one step, so that the
/// destination is never half-written; deleted on any failure. Temp files a killed process left are swept here too.
/// The file stays open from its creation to its rename: an open temp file is a live download's, which no sweep takes.
/// </summary>
internal sealed class PartialFile : IDisposable
{
    private const string Suffix = ".partial";
    private const int RandomLength = 12;

    // Folders swept of temp files left by killed processes, or being swept: downloads into one wait for its sweep (SweepOrphans).
    // Process-wide, never cleared (docs/architecture.md).
    private static readonly ConcurrentDictionary<string, Lazy<bool>> Swept = new(StringComparer.Ordinal);

    private FileStream? _stream;
    private bool _published;

    private PartialFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    /// <summary>Open for writing until <see cref="Publish"/>; a live download holds it open, which tells it from an orphan.</summary>
    public FileStream Stream => _stream ?? throw new ObjectDisposedException(Path);

    /// <summary>Creates a new, empty temp file for <paramref name="destination"/>.</summary>
    public static PartialFile Create(string destination)
    {
        var name = System.IO.Path.GetFileName(destination);
        if (name.Length > 180)
        {
            name = name.Substring(0, 180);
        }
        var random = Guid.NewGuid().ToString("N").Substring(0, RandomLength);
        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(destination)!, $".{name}.{random}{Suffix}");
        // Unbuffered (size 1): writes are already buffer-sized, and what was received is on disk.
        return new PartialFile(path, new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.Asynchronous));
    }

    /// <summary>Empties the file to start the video over; a failure here is the disk's, which another attempt would not fix.</summary>
    public void Restart()
    {
        try
        {
            Stream.SetLength(0);
            Stream.Position = 0;
        }
        catch (IOException e)
        {
            throw new LocalFileException(e);
        }
    }

    /// <summary>Flushes what was written to the disk, then throws unless it has the announced length (when there was one) and is a complete MP4.</summary>
    public void Verify(long? announced)
    {
        Stream.Flush(flushToDisk: true);
        var length = Stream.Length;
        if (announced is { } total && length != total)
        {
            throw DownloadRecovery.Fail(HailuoErrorKind.Protocol, $"The download is {length} bytes but the server announced {total}; it was discarded.");
        }
        try
        {
            Mp4Inspector.Inspect(Stream);
        }
        catch (InvalidDataException e)
        {
            throw DownloadRecovery.Fail(HailuoErrorKind.Protocol, $"The downloaded file is not a complete MP4, so it was discarded: {e.Message}", inner: e);
        }
    }

    /// <summary>Moves the verified file into place in one rename, replacing an existing destination only when allowed.</summary>
    public void Publish(string destination, bool overwrite)
    {
        // Closed only now, the moment before the rename: a closed temp file is what a sweep takes for an orphan.
        _stream?.Dispose();
        _stream = null;
        if (!File.Exists(destination))
        {
            try
            {
                File.Move(Path, destination);
                _published = true;
                return;
            }
            catch (IOException) when (File.Exists(destination))
            {
                // Another download or program created it meanwhile.
            }
        }
        if (!overwrite)
        {
            throw Appeared(destination);
        }
        File.Replace(Path, destination, null);
        _published = true;
    }

    private static HailuoException Appeared(string destination) => DownloadRecovery.Fail(HailuoErrorKind.Validation,
        $"'{destination}' appeared while the video was downloading; it was left as it is.",
        remedy: HailuoRemedy.OverwriteOrRename);

    /// <summary>Closes and deletes the file unless it was published: best effort, as the failure that led here matters more.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (_published)
        {
            return;
        }
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp file is swept by the next process that saves into this folder.
        }
    }

    /// <summary>
    /// Deletes the temp files that downloads of a killed process left in <paramref name="folder"/> (a cancelled or
    /// failed download deletes its own). A live download holds its temp file open, so one that can be opened
    /// exclusively is an orphan. Once per folder and process: only a process that has died leaves them. Other downloads
    /// into the folder wait for the sweep, so that it never meets one of this process's files closed for its rename.
    /// </summary>
    public static void SweepOrphans(string folder) =>
        _ = Swept.GetOrAdd(folder, key => new Lazy<bool>(() => Sweep(key))).Value;

    private static bool Sweep(string folder)
    {
        try
        {
            foreach (var path in Directory.EnumerateFiles(folder, ".*" + Suffix))
            {
                if (!IsTempName(System.IO.Path.GetFileName(path)))
                {
                    continue;
                }
                try
                {
                    using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                    {
                    }
                    File.Delete(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // In use by a download that is still running, or already gone.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder cannot be listed; the download itself will say what is wrong with it.
        }
        return true;
    }

    /// <summary>The shape <see cref="Create"/> gives its files: <c>.NAME.RANDOM.partial</c>, RANDOM being 12 hex digits.</summary>
    private static bool IsTempName(string name)
    {
        var random = name.Length - Suffix.Length - RandomLength;
        if (name[0] != '.' || random < 3 || name[random - 1] != '.' || !name.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }
        for (var i = random; i < random + RandomLength; i++)
        {
            if (!Uri.IsHexDigit(name[i]))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>Marks a failure to write the local file, which another attempt would not fix.</summary>
internal sealed class LocalFileException : Exception
{
    public LocalFileException(Exception inner)
        : base(inner.Message, inner)
    {
    }
}
