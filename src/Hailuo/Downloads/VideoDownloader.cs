using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Media;
using Hailuo.Models;

namespace Hailuo.Downloads;

/// <summary>
/// Fetches finished videos from their pre-signed links to disk: streamed through a temp file that is
/// renamed into place only when the whole MP4 has arrived and checks out, resumed with Range after a
/// broken connection, and re-linked through <see cref="DownloadRequest.RefreshSource"/> when a link
/// expires. One instance serves any number of concurrent downloads.
/// </summary>
public sealed class VideoDownloader
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);
    private const int SnippetChars = 200;
    private const int MaxRedirects = 10;

    private const string TempSuffix = ".partial";
    private const int TempRandomLength = 12;

    // Folders already swept of temp files left by killed processes (see SweepOrphans).
    private static readonly ConcurrentDictionary<string, bool> Swept = new(StringComparer.Ordinal);

    private readonly HttpClient _http;
    private readonly DownloadOptions _options;
    private readonly Random _random = new();
    private readonly object _randomGate = new();

    /// <param name="http">
    /// A client without credentials: download links are pre-signed and may point at any CDN host,
    /// so an API key on this client would leak to them.
    /// </param>
    /// <param name="options">Limits and retry pacing; null takes the defaults.</param>
    public VideoDownloader(HttpClient http, DownloadOptions? options = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        EnsureNoCredentials(http);
        _options = (options ?? new DownloadOptions()).Validated();
    }

    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }
        // Checked again here because headers can be added to the client after construction.
        EnsureNoCredentials(_http);
        CheckSource(request.Source);
        if (string.IsNullOrWhiteSpace(request.DestinationPath))
        {
            throw new ArgumentException("The destination path is empty.", nameof(request));
        }
        var destination = Path.GetFullPath(request.DestinationPath);
        var folder = Path.GetDirectoryName(destination);
        if (folder is null || Path.GetFileName(destination).Length == 0)
        {
            throw new ArgumentException($"'{request.DestinationPath}' is not a file path.", nameof(request));
        }
        if (Directory.Exists(destination))
        {
            throw new HailuoException(new HailuoError(HailuoErrorKind.Validation,
                $"'{destination}' is a folder, not a file name for the video."));
        }
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(folder);
        SweepOrphans(folder);

        var transfer = new Transfer(this, request, destination, progress, cancellationToken);
        if (File.Exists(destination) && !request.Overwrite)
        {
            return await transfer.SkipOrRefuseAsync().ConfigureAwait(false);
        }
        return await transfer.RunAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the temp files that downloads of a killed process left in <paramref name="folder"/> (a cancelled or
    /// failed download deletes its own). A live download holds its temp file open, so one that can be opened
    /// exclusively is an orphan. Once per folder and process: only a process that has died leaves them.
    /// </summary>
    private static void SweepOrphans(string folder)
    {
        if (!Swept.TryAdd(folder, true))
        {
            return;
        }
        try
        {
            foreach (var path in Directory.EnumerateFiles(folder, ".*" + TempSuffix))
            {
                if (!IsTempName(Path.GetFileName(path)))
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
    }

    /// <summary>The shape <see cref="Transfer"/> gives its temp files: <c>.NAME.RANDOM.partial</c>, RANDOM being 12 hex digits.</summary>
    private static bool IsTempName(string name)
    {
        var random = name.Length - TempSuffix.Length - TempRandomLength;
        if (name[0] != '.' || random < 3 || name[random - 1] != '.' || !name.EndsWith(TempSuffix, StringComparison.Ordinal))
        {
            return false;
        }
        for (var i = random; i < random + TempRandomLength; i++)
        {
            if (!Uri.IsHexDigit(name[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static void EnsureNoCredentials(HttpClient http)
    {
        var headers = http.DefaultRequestHeaders;
        if (headers.Authorization is not null || headers.Contains("X-API-Key") || headers.Contains("Cookie"))
        {
            throw new ArgumentException(
                "The HttpClient for downloads must not carry credentials (Authorization, X-API-Key or cookies): download links are pre-signed and may point at any CDN host.",
                nameof(http));
        }
    }

    private static void CheckSource(Uri? source)
    {
        if (source is null || !source.IsAbsoluteUri || (source.Scheme != Uri.UriSchemeHttps && source.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{source}' is not an http or https download link.", nameof(source));
        }
    }

    private TimeSpan Backoff(int failures, TimeSpan? retryAfter)
    {
        var exponent = Math.Min(Math.Max(failures - 1, 0), 20);
        var ceiling = Math.Min(_options.BackoffCap.Ticks, _options.BackoffBase.Ticks * (1L << exponent));
        double factor;
        lock (_randomGate)
        {
            factor = _random.NextDouble();
        }
        // Half fixed, half random: concurrent downloads hit by the same outage do not retry in step.
        var wait = TimeSpan.FromTicks(ceiling / 2 + (long)(ceiling / 2 * factor));
        if (retryAfter is { } asked && asked > wait)
        {
            wait = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }
        return wait;
    }

    private Task DelayAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        _options.Delay is { } delay ? delay(wait, cancellationToken) : Task.Delay(wait, cancellationToken);

    private static HailuoException Fail(HailuoErrorKind kind, string message, int? status = null, Exception? inner = null, HailuoRemedy? remedy = null) =>
        new(new HailuoError(kind, message, status?.ToString(CultureInfo.InvariantCulture), remedy), inner);

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.##} KiB",
        _ => $"{bytes} bytes",
    };

    private static bool IsExpiredStatus(int status) => status is 401 or 403 or 404 or 410;

    private static bool IsTransientStatus(int status) => status is 408 or 429 or >= 500;

    /// <summary>Types that mean the body is an error page, not a video.</summary>
    private static bool IsErrorPageType(string? mediaType)
    {
        if (mediaType is null)
        {
            return false;
        }
        var type = mediaType.Trim().ToLowerInvariant();
        return type.StartsWith("text/", StringComparison.Ordinal)
            || type is "application/json" or "application/xml" or "application/xhtml+xml" or "application/problem+json" or "application/problem+xml"
            || type.EndsWith("+json", StringComparison.Ordinal)
            || type.EndsWith("+xml", StringComparison.Ordinal);
    }

    /// <summary>Errors of the connection rather than of the answer: worth another attempt.</summary>
    private static bool IsNetworkFault(Exception e) =>
        e is HttpRequestException or IOException or SocketException or ObjectDisposedException or OperationCanceledException;

    /// <summary>Marks a failure to write the local file, which another attempt would not fix.</summary>
    private sealed class LocalFileException : Exception
    {
        public LocalFileException(Exception inner)
            : base(inner.Message, inner)
        {
        }
    }

    private enum OutcomeKind { Done, Retry, Expired }

    private sealed class Outcome
    {
        private Outcome(OutcomeKind kind, string reason, int? status, TimeSpan? retryAfter, Exception? error)
        {
            Kind = kind;
            Reason = reason;
            Status = status;
            RetryAfter = retryAfter;
            Error = error;
        }

        public OutcomeKind Kind { get; }
        public string Reason { get; }
        public int? Status { get; }
        public TimeSpan? RetryAfter { get; }
        public Exception? Error { get; }

        public static readonly Outcome Done = new(OutcomeKind.Done, "", null, null, null);

        public static Outcome Retry(string reason, int? status = null, TimeSpan? retryAfter = null, Exception? error = null) =>
            new(OutcomeKind.Retry, reason, status, retryAfter, error);

        public static Outcome Expired(int status, string reason) => new(OutcomeKind.Expired, reason, status, null, null);
    }

    /// <summary>The state of one download; never shared between calls, which keeps the downloader thread-safe.</summary>
    private sealed class Transfer
    {
        private readonly VideoDownloader _owner;
        private readonly DownloadOptions _options;
        private readonly DownloadRequest _request;
        private readonly string _destination;
        private readonly IProgress<DownloadProgress>? _progress;
        private readonly CancellationToken _cancellation;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private Uri _source;
        private byte[]? _buffer;
        private WriteBehind? _writeBehind;
        private long _written;
        private long? _total;
        private string? _etag;
        private RangeConditionHeaderValue? _validator;
        private bool _noRange;
        private int _attempts;
        private int _failures;
        private int _refreshes;
        private long _transferred;
        private TimeSpan _lastReport = TimeSpan.MinValue;

        public Transfer(VideoDownloader owner, DownloadRequest request, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellation)
        {
            _owner = owner;
            _options = owner._options;
            _request = request;
            _destination = destination;
            _progress = progress;
            _cancellation = cancellation;
            _source = request.Source;
        }

        public async Task<DownloadResult> RunAsync()
        {
            var temp = TempPath(_destination);
            FileStream? file = null;
            try
            {
                // Unbuffered (size 1): writes are already buffer-sized, and what was received is on disk.
                file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.Asynchronous);
                _writeBehind = new WriteBehind(file, 0);
                await ReceiveAsync(file).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                file.Dispose();
                file = null;
                Verify(temp);
                Publish(temp);
                Report(completed: true);
                return new DownloadResult
                {
                    Path = _destination,
                    Length = _written,
                    Attempts = _attempts,
                    Refreshes = _refreshes,
                    BytesTransferred = _transferred,
                };
            }
            catch
            {
                file?.Dispose();
                TryDelete(temp);
                throw;
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
            var remote = await ProbeLengthAsync().ConfigureAwait(false);
            if (remote is null)
            {
                throw Fail(HailuoErrorKind.Validation,
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
                throw Fail(HailuoErrorKind.Validation, $"'{_destination}' already exists and differs from the video: {why}.", remedy: HailuoRemedy.OverwriteOrRename);
            }
            _written = local;
            _total = remote;
            Report(completed: true);
            return new DownloadResult
            {
                Path = _destination,
                Length = local,
                Skipped = true,
                Attempts = _attempts,
                Refreshes = _refreshes,
                BytesTransferred = _transferred,
            };
        }

        private async Task ReceiveAsync(FileStream file)
        {
            while (true)
            {
                _cancellation.ThrowIfCancellationRequested();
                _attempts++;
                Outcome outcome;
                try
                {
                    outcome = await AttemptAsync(file).ConfigureAwait(false);
                }
                catch (LocalFileException e)
                {
                    ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
                    throw;
                }
                catch (Exception e) when (_cancellation.IsCancellationRequested && e is not OperationCanceledException && IsNetworkFault(e))
                {
                    // Cancelling drops the response, which surfaces as an I/O error; the caller asked for a cancellation.
                    throw new OperationCanceledException("The download was cancelled.", e, _cancellation);
                }
                catch (Exception e) when (!_cancellation.IsCancellationRequested && IsNetworkFault(e))
                {
                    outcome = Outcome.Retry(e is OperationCanceledException or ObjectDisposedException
                        ? $"no answer, or under {_options.MinBytesPerSecond} bytes a second, for the read timeout of {_options.ReadTimeout.TotalSeconds:0.#} s"
                        : e.Message, error: e);
                }
                switch (outcome.Kind)
                {
                    case OutcomeKind.Done:
                        return;
                    case OutcomeKind.Expired:
                        await RefreshAsync(outcome).ConfigureAwait(false);
                        // Without a validator there is no telling whether the new link serves the same bytes.
                        if (_validator is null && _written > 0)
                        {
                            Restart(file);
                        }
                        break;
                    default:
                        await BackOffAsync(outcome).ConfigureAwait(false);
                        break;
                }
            }
        }

        private async Task BackOffAsync(Outcome outcome)
        {
            _failures++;
            if (_failures >= _options.MaxAttempts)
            {
                var at = _total is { } total ? $" at {_written} of {total} bytes" : $" at {_written} bytes";
                throw Fail(HailuoErrorKind.Transient,
                    $"The download of '{Path.GetFileName(_destination)}' failed {_failures} times; it stopped{at}. Last problem: {outcome.Reason}",
                    outcome.Status, outcome.Error);
            }
            await _owner.DelayAsync(_owner.Backoff(_failures, outcome.RetryAfter), _cancellation).ConfigureAwait(false);
        }

        private async Task RefreshAsync(Outcome outcome)
        {
            var status = outcome.Status ?? 0;
            if (_request.RefreshSource is null)
            {
                throw Fail(HailuoErrorKind.Expired,
                    $"The download link answered HTTP {status}: it has expired or the file is gone{Quote(outcome.Reason)}. No fresh link can be fetched for this download.",
                    status);
            }
            if (_refreshes >= _options.MaxRefreshes)
            {
                // 404 and 410 that survive fresh links mean the file itself is gone, e.g. Replicate's one-hour retention.
                var gone = status is 404 or 410;
                throw Fail(gone ? HailuoErrorKind.NotFound : HailuoErrorKind.Expired,
                    gone
                        ? $"The video is gone: its link still answered HTTP {status} after {_refreshes} fresh link(s){Quote(outcome.Reason)}. The provider may have deleted the output (Replicate keeps outputs for one hour)."
                        : $"The download link still answered HTTP {status} after {_refreshes} fresh link(s){Quote(outcome.Reason)}.",
                    status,
                    remedy: gone ? HailuoRemedy.ForceResubmit : null);
            }
            _refreshes++;
            var fresh = await _request.RefreshSource(_cancellation).ConfigureAwait(false);
            CheckSource(fresh);
            _source = fresh;
        }

        private async Task<Outcome> AttemptAsync(FileStream file)
        {
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

            if (IsExpiredStatus(status))
            {
                return Outcome.Expired(status, await SnippetAsync(response, attempt.Token).ConfigureAwait(false));
            }
            if (status == 416 && _written > 0)
            {
                _noRange = true;
                Restart(file);
                return Outcome.Retry("the server refused the resume range (HTTP 416)", status);
            }
            if (IsTransientStatus(status))
            {
                var snippet = await SnippetAsync(response, attempt.Token).ConfigureAwait(false);
                return Outcome.Retry($"HTTP {status} {response.ReasonPhrase}{Quote(snippet)}", status, RetryAfter(response));
            }
            if (status != 200 && status != 206)
            {
                var snippet = await SnippetAsync(response, attempt.Token).ConfigureAwait(false);
                throw Fail(HailuoErrorKind.Protocol, $"The download link answered HTTP {status} {response.ReasonPhrase}{Quote(snippet)}.", status);
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (IsErrorPageType(mediaType))
            {
                var snippet = await SnippetAsync(response, attempt.Token).ConfigureAwait(false);
                throw Fail(HailuoErrorKind.Protocol,
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
                    return Outcome.Retry($"the server answered with range '{range}' instead of bytes {expectedFrom}- of the same file", status);
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
                throw Fail(HailuoErrorKind.Protocol,
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
                return await CopyAsync(body, file, attempt).ConfigureAwait(false);
            }
        }

        private async Task<Outcome> CopyAsync(Stream body, FileStream file, CancellationTokenSource attempt)
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
                        throw Fail(HailuoErrorKind.Protocol,
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
                    throw Fail(HailuoErrorKind.Protocol, _total is null
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
                return Outcome.Retry($"the connection closed after {_written} of {total} bytes");
            }
            _total ??= _written;
            return Outcome.Done;
        }

        /// <summary>Learns the video's size without fetching it: HEAD, or a one-byte range when HEAD is refused.</summary>
        private async Task<long?> ProbeLengthAsync()
        {
            while (true)
            {
                _cancellation.ThrowIfCancellationRequested();
                Outcome outcome;
                try
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_cancellation);
                    attempt.CancelAfter(_options.ReadTimeout);
                    _attempts++;
                    using (var headResponse = await SendAsync(HttpMethod.Head, null, attempt.Token).ConfigureAwait(false))
                    {
                        // Links signed for GET alone refuse HEAD, so any failure here falls through to the GET.
                        if (headResponse.IsSuccessStatusCode && headResponse.Content.Headers.ContentLength is { } headLength
                            && !IsErrorPageType(headResponse.Content.Headers.ContentType?.MediaType))
                        {
                            return headLength;
                        }
                    }
                    _attempts++;
                    using var response = await SendAsync(HttpMethod.Get, get => get.Headers.Range = new RangeHeaderValue(0, 0), attempt.Token).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    if (IsExpiredStatus(status))
                    {
                        outcome = Outcome.Expired(status, await SnippetAsync(response, attempt.Token).ConfigureAwait(false));
                    }
                    else if (IsTransientStatus(status))
                    {
                        outcome = Outcome.Retry($"HTTP {status} {response.ReasonPhrase}", status, RetryAfter(response));
                    }
                    else if (IsErrorPageType(response.Content.Headers.ContentType?.MediaType))
                    {
                        var snippet = await SnippetAsync(response, attempt.Token).ConfigureAwait(false);
                        throw Fail(HailuoErrorKind.Protocol,
                            $"The download link served {response.Content.Headers.ContentType?.MediaType} instead of a video: \"{snippet}\"", status);
                    }
                    else if (status == 206)
                    {
                        return response.Content.Headers.ContentRange is { HasLength: true } range ? range.Length : null;
                    }
                    else if (status == 200)
                    {
                        // The server ignored the range; its headers still give the size, and disposing skips the body.
                        return response.Content.Headers.ContentLength;
                    }
                    else
                    {
                        throw Fail(HailuoErrorKind.Protocol, $"The download link answered HTTP {status} {response.ReasonPhrase}.", status);
                    }
                }
                catch (Exception e) when (_cancellation.IsCancellationRequested && e is not OperationCanceledException && IsNetworkFault(e))
                {
                    throw new OperationCanceledException("The download was cancelled.", e, _cancellation);
                }
                catch (Exception e) when (!_cancellation.IsCancellationRequested && IsNetworkFault(e))
                {
                    outcome = Outcome.Retry(e.Message, error: e);
                }
                if (outcome.Kind == OutcomeKind.Expired)
                {
                    await RefreshAsync(outcome).ConfigureAwait(false);
                }
                else
                {
                    await BackOffAsync(outcome).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// Sends a request for the current link, following its redirects here rather than in the handler, which would
        /// follow one to any scheme (ftp: is tried as HTTP on port 21; file: throws): only http and https links are followed.
        /// </summary>
        private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Action<HttpRequestMessage>? prepare, CancellationToken token)
        {
            var uri = _source;
            for (var hop = 0; ; hop++)
            {
                using var message = new HttpRequestMessage(method, uri);
                prepare?.Invoke(message);
                var response = await _owner._http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status is not (301 or 302 or 303 or 307 or 308))
                {
                    return response;
                }
                var location = response.Headers.Location;
                response.Dispose();
                var next = location is null ? null : location.IsAbsoluteUri ? location : new Uri(uri, location);
                if (next is null || (next.Scheme != Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttp))
                {
                    throw Fail(HailuoErrorKind.Protocol,
                        $"The download link redirected (HTTP {status}) to {(next is null ? "nowhere" : $"a {next.Scheme}: address")}; only http and https links are followed.", status);
                }
                if (hop >= MaxRedirects)
                {
                    throw Fail(HailuoErrorKind.Protocol, $"The download link redirected {MaxRedirects} times without serving the video; stopped.", status);
                }
                uri = next;
                method = status == 303 ? HttpMethod.Get : method;
            }
        }

        private void Restart(FileStream file)
        {
            try
            {
                file.SetLength(0);
                file.Position = 0;
            }
            catch (IOException e)
            {
                throw new LocalFileException(e);
            }
            _written = 0;
            _total = null;
            _etag = null;
            _validator = null;
        }

        private void Verify(string temp)
        {
            var length = new FileInfo(temp).Length;
            if (_total is { } total && length != total)
            {
                throw Fail(HailuoErrorKind.Protocol, $"The download is {length} bytes but the server announced {total}; it was discarded.");
            }
            try
            {
                Mp4Inspector.Inspect(temp);
            }
            catch (InvalidDataException e)
            {
                throw Fail(HailuoErrorKind.Protocol, $"The downloaded file is not a complete MP4, so it was discarded: {e.Message}", inner: e);
            }
        }

        /// <summary>Moves the finished temp file into place in one rename, so the destination is never half-written.</summary>
        private void Publish(string temp)
        {
            if (File.Exists(_destination))
            {
                if (!_request.Overwrite)
                {
                    throw Exists();
                }
                File.Replace(temp, _destination, null);
                return;
            }
            try
            {
                File.Move(temp, _destination);
            }
            catch (IOException) when (File.Exists(_destination))
            {
                // Another download or program created it meanwhile.
                if (!_request.Overwrite)
                {
                    throw Exists();
                }
                File.Replace(temp, _destination, null);
            }
        }

        private HailuoException Exists() => Fail(HailuoErrorKind.Validation,
            $"'{_destination}' appeared while the video was downloading; it was left as it is.",
            remedy: HailuoRemedy.OverwriteOrRename);

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

        private static string TempPath(string destination)
        {
            var name = Path.GetFileName(destination);
            if (name.Length > 180)
            {
                name = name.Substring(0, 180);
            }
            var random = Guid.NewGuid().ToString("N").Substring(0, TempRandomLength);
            return Path.Combine(Path.GetDirectoryName(destination)!, $".{name}.{random}{TempSuffix}");
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the original failure matters more than a leftover temp file.
            }
        }
    }

    private static string Quote(string snippet) => snippet.Length == 0 ? "" : $": \"{snippet}\"";

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>The first characters of an error body, on one line, for the message.</summary>
    private static async Task<string> SnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = new byte[4096];
            var filled = 0;
            while (filled < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer, filled, buffer.Length - filled, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                filled += n;
            }
            var text = Encoding.UTF8.GetString(buffer, 0, filled);
            var line = new StringBuilder(Math.Min(text.Length, SnippetChars));
            var space = false;
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    space = line.Length > 0;
                    continue;
                }
                if (space)
                {
                    line.Append(' ');
                    space = false;
                }
                line.Append(c);
                if (line.Length >= SnippetChars)
                {
                    break;
                }
            }
            return line.ToString();
        }
        catch (Exception e) when (IsNetworkFault(e) || e is DecoderFallbackException)
        {
            return "";
        }
    }

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
