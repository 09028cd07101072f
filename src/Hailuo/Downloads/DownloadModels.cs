using System;
using System.Threading;
using System.Threading.Tasks;

namespace Hailuo.Downloads;

/// <summary>One video to fetch: where from, where to, and how to get a fresh link when this one dies.</summary>
public sealed class DownloadRequest
{
    public DownloadRequest(Uri source, string destinationPath)
    {
        Source = source ?? throw new ArgumentNullException(nameof(source));
        DestinationPath = destinationPath ?? throw new ArgumentNullException(nameof(destinationPath));
    }

    /// <summary>The pre-signed http(s) link to the MP4.</summary>
    public Uri Source { get; }

    /// <summary>The file to create; its folder is created when missing.</summary>
    public string DestinationPath { get; }

    /// <summary>
    /// Returns a fresh link when the current one answers 401, 403, 404 or 410 (for example by reading
    /// the job again). Null means an expired link ends the download with <c>Expired</c>.
    /// </summary>
    public Func<CancellationToken, Task<Uri>>? RefreshSource { get; init; }

    /// <summary>Replace an existing destination file; otherwise an identical one is skipped and a different one refused.</summary>
    public bool Overwrite { get; init; }
}

/// <summary>Limits and retry pacing for <see cref="VideoDownloader"/>.</summary>
public sealed class DownloadOptions
{
    public const long DefaultMaxBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>Larger videos are refused before anything is written; Hailuo's are tens of megabytes.</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>Network faults (resets, cut bodies, stalls, 5xx) tolerated per download before giving up.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Fresh links asked of <see cref="DownloadRequest.RefreshSource"/> per download.</summary>
    public int MaxRefreshes { get; set; } = 3;

    /// <summary>
    /// No answer, or less than <see cref="MinBytesPerSecond"/> times this many bytes, for this long counts
    /// as a stalled connection, which is retried.
    /// </summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The slowest a download may be, averaged over <see cref="ReadTimeout"/>: a server that trickles a
    /// byte at a time would otherwise hold a download for ever. 0 accepts any progress at all.
    /// </summary>
    public int MinBytesPerSecond { get; set; } = 1024;

    public int BufferSize { get; set; } = 81920;

    /// <summary>The first retry waits about this long; each further one twice as long, with jitter.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromSeconds(10);

    internal DownloadOptions Validated()
    {
        if (MaxBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "MaxBytes must be greater than 0.");
        }
        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be at least 1.");
        }
        if (MaxRefreshes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRefreshes), MaxRefreshes, "MaxRefreshes cannot be negative.");
        }
        if (ReadTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReadTimeout), ReadTimeout, "ReadTimeout must be greater than 0.");
        }
        if (MinBytesPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinBytesPerSecond), MinBytesPerSecond, "MinBytesPerSecond cannot be negative.");
        }
        if (BufferSize < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferSize), BufferSize, "BufferSize must be at least 1024 bytes.");
        }
        if (BackoffBase < TimeSpan.Zero || BackoffCap < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BackoffBase), "Backoff times cannot be negative.");
        }
        // A private copy: the caller may change its options while downloads run.
        return (DownloadOptions)MemberwiseClone();
    }
}

/// <summary>How far one download has got.</summary>
public sealed class DownloadProgress
{
    public DownloadProgress(string destinationPath, long bytesWritten, long? totalBytes, double bytesPerSecond, bool completed)
    {
        DestinationPath = destinationPath;
        BytesWritten = bytesWritten;
        TotalBytes = totalBytes;
        BytesPerSecond = bytesPerSecond;
        Completed = completed;
    }

    public string DestinationPath { get; }

    /// <summary>Bytes of the video on disk so far.</summary>
    public long BytesWritten { get; }

    /// <summary>The video's size, once the server has said it.</summary>
    public long? TotalBytes { get; }

    /// <summary>Average network speed of this download so far.</summary>
    public double BytesPerSecond { get; }

    /// <summary>True for the last report, once the file is in place (or was skipped).</summary>
    public bool Completed { get; }

    public int? PercentComplete => TotalBytes is long total && total > 0 ? (int)Math.Min(100, BytesWritten * 100 / total) : null;
}

/// <summary>What a download did.</summary>
public sealed class DownloadResult
{
    public string Path { get; init; } = "";

    /// <summary>The file's length on disk.</summary>
    public long Length { get; init; }

    /// <summary>True when an identical file was already there and nothing was downloaded.</summary>
    public bool Skipped { get; init; }

    /// <summary>HTTP requests made for the file (including the size probe when skipping).</summary>
    public int Attempts { get; init; }

    /// <summary>Fresh links taken from <see cref="DownloadRequest.RefreshSource"/>.</summary>
    public int Refreshes { get; init; }

    /// <summary>Body bytes received over the network, which exceeds <see cref="Length"/> when a download restarted.</summary>
    public long BytesTransferred { get; init; }

    public override string ToString() => Skipped ? $"{Path} (skipped, {Length} bytes)" : $"{Path} ({Length} bytes, {Attempts} attempt(s))";
}
