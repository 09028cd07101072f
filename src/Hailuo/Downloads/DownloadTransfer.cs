using System;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Media;
using Hailuo.Models;
using Hailuo.Transport;

namespace Hailuo.Downloads;

/// <summary>
/// One download's bytes on the wire: the GET of the current link, resumed with Range (and If-Range, so that another
/// file is never stitched on) from what is already on disk; the copy into the temp file, bounded in size and speed
/// and refused unless it starts like an MP4; the size probe that decides whether an existing file is this video; and
/// progress. The temp file is <see cref="PartialFile"/>'s, and what follows a failed request <see cref="DownloadRecovery"/>'s.
/// Never shared between calls, which keeps <see cref="VideoDownloader"/> thread-safe.
/// </summary>
internal sealed class DownloadTransfer
{
    private const int MaxRedirects = 10;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    // No credentials: download links are signed in their URL, and may point at any host.
    private static readonly RedirectRules Redirects = new()
    {
        MaxRedirects = MaxRedirects,
        Vet = hop =>
        {
            if (hop.To.Scheme != Uri.UriSchemeHttps && hop.To.Scheme != Uri.UriSchemeHttp)
            {
                throw DownloadRecovery.Fail(HailuoErrorKind.Protocol,
                    $"The download link redirected (HTTP {hop.Status}) to a {hop.To.Scheme}: address; only http and https links are followed.", hop.Status);
            }
        },
        TooMany = hop => DownloadRecovery.Fail(HailuoErrorKind.Protocol,
            $"The download link redirected {MaxRedirects} times without serving the video; stopped.", hop.Status),
    };

    private readonly HttpClient _http;
    private readonly DownloadOptions _options;
    private readonly DownloadRequest _request;
    private readonly string _destination;
    private readonly IProgress<DownloadProgress>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly DownloadRecovery _recovery;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private byte[]? _buffer;
    private WriteBehind? _writeBehind;
    private long _written;
    private long? _total;
    private string? _etag;
    private RangeConditionHeaderValue? _validator;
    private bool _noRange;
    private int _attempts;
    private long _transferred;
    private TimeSpan _lastReport = TimeSpan.MinValue;

    public DownloadTransfer(VideoDownloader downloader, DownloadRequest request, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellation)
    {
        _http = downloader.Http;
        _options = downloader.Options;
        _recovery = new DownloadRecovery(downloader.Retries, downloader.Clock, _options, request, Path.GetFileName(destination), cancellation);
        _request = request;
        _destination = destination;
        _progress = progress;
        _cancellation = cancellation;
    }

    /// <summary>Fetches the video into a temp file and renames it into place once it checks out.</summary>
    public async Task<DownloadResult> RunAsync()
    {
        using var file = PartialFile.Create(_destination);
        try
        {
            _writeBehind = new WriteBehind(file.Stream, 0);
            // Without a validator there is no telling whether a fresh link serves the same bytes.
            await _recovery.RunAsync(() => ReceiveAsync(file), () =>
            {
                if (_validator is null && _written > 0)
                {
                    Restart(file);
                }
            }, StoppedAt).ConfigureAwait(false);
            file.Verify(_total);
            file.Publish(_destination, _request.Overwrite);
            Report(completed: true);
            return Result(skipped: false);
        }
        finally
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The destination exists and may not be replaced: skip it when it is this video, refuse otherwise.</summary>
    public async Task<DownloadResult> SkipOrRefuseAsync()
    {
        var local = new FileInfo(_destination).Length;
        var remote = (await _recovery.RunAsync(ProbeLengthAsync, null, StoppedAt).ConfigureAwait(false)).Length;
        if (remote is null)
        {
            throw DownloadRecovery.Fail(HailuoErrorKind.Validation,
                $"'{_destination}' already exists, and the server did not say the video's size, so it cannot be compared.", remedy: HailuoRemedy.OverwriteOrRename);
        }
        string? broken = null;
        if (remote == local)
        {
            try
            {
                Mp4Inspector.Inspect(_destination);
            }
            catch (InvalidDataException e)
            {
                broken = e.Message;
            }
        }
        if (remote != local || broken is not null)
        {
            var why = broken is null
                ? $"it is {local} bytes and the video is {remote} bytes"
                : $"it has the video's size but is not a complete MP4 ({broken})";
            throw DownloadRecovery.Fail(HailuoErrorKind.Validation, $"'{_destination}' already exists and differs from the video: {why}.", remedy: HailuoRemedy.OverwriteOrRename);
        }
        _written = local;
        _total = remote;
        Report(completed: true);
        return Result(skipped: true);
    }

    private DownloadResult Result(bool skipped) => new()
    {
        Path = _destination,
        Length = _written,
        Skipped = skipped,
        Attempts = _attempts,
        Refreshes = _recovery.Refreshes,
        BytesTransferred = _transferred,
    };

    private string StoppedAt() => _total is { } total ? $" at {_written} of {total} bytes" : $" at {_written} bytes";

    /// <summary>One GET of the video: from the start, or from what is on disk when the server can resume.</summary>
    private async Task<AttemptResult> ReceiveAsync(PartialFile file)
    {
        _attempts++;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_cancellation);
        attempt.CancelAfter(_options.ReadTimeout);
        var ranged = _written > 0 && !_noRange;
        using var response = await SendAsync(HttpMethod.Get, message =>
        {
            if (ranged)
            {
                message.Headers.Range = new RangeHeaderValue(_written, null);
                if (_validator is not null)
                {
                    message.Headers.IfRange = _validator;
                }
            }
        }, attempt.Token).ConfigureAwait(false);
        // A stalled body read may ignore the token; dropping the response unblocks it.
        using var abort = attempt.Token.Register(() => response.Dispose());
        var status = (int)response.StatusCode;

        if (DownloadRecovery.IsExpiredStatus(status))
        {
            return AttemptResult.Expired(status, await ErrorSnippet.ReadAsync(response, attempt.Token).ConfigureAwait(false));
        }
        if (status == 416 && _written > 0)
        {
            _noRange = true;
            Restart(file);
            return AttemptResult.Retry("the server refused the resume range (HTTP 416)", status);
        }
        if (HttpRetryPolicy.IsTransientStatus(status))
        {
            return _recovery.Passing(response, await ErrorSnippet.ReadAsync(response, attempt.Token).ConfigureAwait(false));
        }
        if (status != 200 && status != 206)
        {
            var snippet = await ErrorSnippet.ReadAsync(response, attempt.Token).ConfigureAwait(false);
            throw DownloadRecovery.Fail(HailuoErrorKind.Protocol, $"The download link answered HTTP {status} {response.ReasonPhrase}{DownloadRecovery.Quote(snippet)}.", status);
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (DownloadRecovery.IsErrorPageType(mediaType))
        {
            var snippet = await ErrorSnippet.ReadAsync(response, attempt.Token).ConfigureAwait(false);
            throw DownloadRecovery.Fail(HailuoErrorKind.Protocol,
                $"The download link served {mediaType} instead of a video, so it is an error page, not the MP4: \"{snippet}\"", status);
        }

        var etag = response.Headers.ETag;
        long? total;
        if (status == 206)
        {
            var range = response.Content.Headers.ContentRange;
            var from = range?.From ?? -1;
            var expectedFrom = ranged ? _written : 0;
            var sameFile = _etag is null || etag is null || etag.Tag == _etag;
            var sameTotal = range is not null && (!range.HasLength || _total is null || range.Length == _total);
            if (range is null || from != expectedFrom || !sameTotal || !sameFile)
            {
                // A range we did not ask for, or of another file: what is on disk cannot be trusted.
                _noRange = true;
                Restart(file);
                return AttemptResult.Retry($"the server answered with range '{range}' instead of bytes {expectedFrom}- of the same file", status);
            }
            if (!ranged && _written > 0)
            {
                Restart(file);
            }
            total = range.HasLength ? range.Length : null;
        }
        else
        {
            if (_written > 0)
            {
                // A 200 to a ranged request: the server ignored the range or the file changed; start over.
                Restart(file);
            }
            total = response.Content.Headers.ContentLength;
        }

        if (total is { } announced && announced > _options.MaxBytes)
        {
            throw DownloadRecovery.Fail(HailuoErrorKind.Protocol,
                $"The video is {announced} bytes ({Size(announced)}), more than the limit of {_options.MaxBytes} bytes ({Size(_options.MaxBytes)}); nothing was written.",
                status);
        }
        _total = total ?? _total;
        if (status == 200 || _etag is null)
        {
            _etag = etag?.Tag;
            _validator = etag is { IsWeak: false }
                ? new RangeConditionHeaderValue(etag)
                : response.Content.Headers.LastModified is { } modified ? new RangeConditionHeaderValue(modified) : null;
        }

        var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using (body)
        {
            return await CopyAsync(body, file.Stream, attempt).ConfigureAwait(false);
        }
    }

    private async Task<AttemptResult> CopyAsync(Stream body, FileStream file, CancellationTokenSource attempt)
    {
        // Pooled: a batch downloads thousands of videos, and a fresh 80 KB buffer for each is needless garbage.
        var buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        // Nothing is written until the first bytes are known to be an MP4.
        var sniffing = _written == 0;
        var pending = 0;
        // The attempt's deadline moves on only once this much has arrived since it last did, so a
        // trickle stalls it as surely as silence does.
        var progressStep = Math.Max(1L, (long)(_options.MinBytesPerSecond * _options.ReadTimeout.TotalSeconds));
        var sinceProgress = 0L;
        while (true)
        {
            _cancellation.ThrowIfCancellationRequested();
            var read = await body.ReadAsync(buffer, pending, buffer.Length - pending, attempt.Token).ConfigureAwait(false);
            _transferred += read;
            sinceProgress += read;
            if (sinceProgress >= progressStep)
            {
                attempt.CancelAfter(_options.ReadTimeout);
                sinceProgress = 0;
            }
            var available = pending + read;
            if (sniffing)
            {
                if (read > 0 && available < 8)
                {
                    pending = available;
                    continue;
                }
                sniffing = false;
                pending = 0;
                if (!Mp4Inspector.LooksLikeMp4(new ReadOnlySpan<byte>(buffer, 0, available)))
                {
                    throw DownloadRecovery.Fail(HailuoErrorKind.Protocol,
                        $"The download is not an MP4: it starts with {Describe(buffer, available)}.");
                }
            }
            if (available == 0)
            {
                break;
            }
            var limit = _total ?? _options.MaxBytes;
            if (_written + available > limit)
            {
                throw DownloadRecovery.Fail(HailuoErrorKind.Protocol, _total is null
                    ? $"The download went past the limit of {_options.MaxBytes} bytes ({Size(_options.MaxBytes)}) without announcing its length; it was stopped."
                    : $"The server sent more than the {_total} bytes it announced; the download was stopped.");
            }
            try
            {
                await file.WriteAsync(buffer, 0, available, _cancellation).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new LocalFileException(e);
            }
            _written += available;
            _writeBehind?.Written(_written);
            if (read == 0)
            {
                break;
            }
            Report(completed: false);
        }
        if (_total is { } total && _written < total)
        {
            return AttemptResult.Retry($"the connection closed after {_written} of {total} bytes");
        }
        _total ??= _written;
        return AttemptResult.Done;
    }

    /// <summary>Learns the video's size without fetching it: HEAD, or a one-byte range when HEAD is refused.</summary>
    private async Task<AttemptResult> ProbeLengthAsync()
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_cancellation);
        attempt.CancelAfter(_options.ReadTimeout);
        _attempts++;
        using (var headResponse = await SendAsync(HttpMethod.Head, null, attempt.Token).ConfigureAwait(false))
        {
            // Links signed for GET alone refuse HEAD, so any failure here falls through to the GET.
            if (headResponse.IsSuccessStatusCode && headResponse.Content.Headers.ContentLength is { } headLength
                && !DownloadRecovery.IsErrorPageType(headResponse.Content.Headers.ContentType?.MediaType))
            {
                return AttemptResult.Found(headLength);
            }
        }
        _attempts++;
        using var response = await SendAsync(HttpMethod.Get, get => get.Headers.Range = new RangeHeaderValue(0, 0), attempt.Token).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (DownloadRecovery.IsExpiredStatus(status))
        {
            return AttemptResult.Expired(status, await ErrorSnippet.ReadAsync(response, attempt.Token).ConfigureAwait(false));
        }
        if (HttpRetryPolicy.IsTransientStatus(status))
        {
            return _recovery.Passing(response);
        }
        if (DownloadRecovery.IsErrorPageType(response.Content.Headers.ContentType?.MediaType))
        {
            var snippet = await ErrorSnippet.ReadAsync(response, attempt.Token).ConfigureAwait(false);
            throw DownloadRecovery.Fail(HailuoErrorKind.Protocol,
                $"The download link served {response.Content.Headers.ContentType?.MediaType} instead of a video: \"{snippet}\"", status);
        }
        return status switch
        {
            206 => AttemptResult.Found(response.Content.Headers.ContentRange is { HasLength: true } range ? range.Length : null),
            // The server ignored the range; its headers still give the size, and disposing skips the body.
            200 => AttemptResult.Found(response.Content.Headers.ContentLength),
            _ => throw DownloadRecovery.Fail(HailuoErrorKind.Protocol, $"The download link answered HTTP {status} {response.ReasonPhrase}.", status),
        };
    }

    /// <summary>Sends a request for the current link, following its redirects to http and https links only, without credentials.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Action<HttpRequestMessage>? prepare, CancellationToken token) =>
        (await RedirectFollower.SendAsync(_http, method, _recovery.Source, Redirects, prepare, token).ConfigureAwait(false)).Response;

    /// <summary>Starts the video over: what is on disk cannot be continued.</summary>
    private void Restart(PartialFile file)
    {
        file.Restart();
        _written = 0;
        _total = null;
        _etag = null;
        _validator = null;
    }

    private void Report(bool completed)
    {
        if (_progress is null)
        {
            return;
        }
        var now = _clock.Elapsed;
        if (!completed && _lastReport != TimeSpan.MinValue && now - _lastReport < ProgressInterval)
        {
            return;
        }
        _lastReport = now;
        var seconds = now.TotalSeconds;
        var rate = seconds > 0 ? _transferred / seconds : 0;
        _progress.Report(new DownloadProgress(_destination, _written, _total, rate, completed));
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.##} KiB",
        _ => $"{bytes} bytes",
    };

    /// <summary>The first bytes as text when they are printable, else as hex.</summary>
    private static string Describe(byte[] head, int count)
    {
        var n = Math.Min(count, 32);
        if (n == 0)
        {
            return "nothing (the body is empty)";
        }
        var printable = true;
        for (var i = 0; i < n; i++)
        {
            if ((head[i] < 0x20 && head[i] is not (9 or 10 or 13)) || head[i] > 0x7e)
            {
                printable = false;
                break;
            }
        }
        if (printable)
        {
            return "\"" + Encoding.ASCII.GetString(head, 0, n).Replace('\r', ' ').Replace('\n', ' ') + "\"";
        }
        var hex = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            hex.Append(head[i].ToString("x2", CultureInfo.InvariantCulture));
            if (i < n - 1)
            {
                hex.Append(' ');
            }
        }
        return $"bytes {hex}";
    }
}
