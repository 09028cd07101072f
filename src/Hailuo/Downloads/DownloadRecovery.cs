using System;
using System.Globalization;
using System.Net.Http;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Models;
using Hailuo.Transport;
using Polly;

namespace Hailuo.Downloads;

/// <summary>
/// How one download gets past a failed request, on the policy API calls use too (Transport/HttpRetryPolicy.cs): a
/// fault of the network or a passing status is waited out and tried again, up to DownloadOptions.MaxAttempts in all;
/// an expired link is swapped for a fresh one from DownloadRequest.RefreshSource, without a wait; anything else, or
/// too many of either, ends the download with the error that says why.
/// </summary>
internal sealed class DownloadRecovery
{
    private readonly ResiliencePipeline<AttemptResult> _pipeline;
    private readonly DownloadOptions _options;
    private readonly DownloadRequest _request;
    private readonly string _fileName;
    private readonly CancellationToken _cancellation;
    private readonly TimeProvider _clock;

    public DownloadRecovery(ResiliencePipeline<AttemptResult> pipeline, TimeProvider clock, DownloadOptions options, DownloadRequest request, string fileName, CancellationToken cancellation)
    {
        _pipeline = pipeline;
        _clock = clock;
        _options = options;
        _request = request;
        _fileName = fileName;
        _cancellation = cancellation;
        Source = request.Source;
    }

    /// <summary>The link to fetch now: the request's, until it expires.</summary>
    public Uri Source { get; private set; }

    /// <summary>Fresh links taken so far.</summary>
    public int Refreshes { get; private set; }

    /// <summary>Failed requests so far: faults of the network and passing statuses, not expired links.</summary>
    public int Failures { get; private set; }

    /// <summary>The retry pipeline for every download of one <see cref="VideoDownloader"/>: passing failures only, never exceptions.</summary>
    public static ResiliencePipeline<AttemptResult> Pipeline(DownloadOptions options, TimeProvider clock) =>
        new HttpRetryPolicy(options.MaxAttempts - 1, options.BackoffBase, options.BackoffCap, clock)
            .Pipeline<AttemptResult>(
                (context, outcome) => outcome.Result?.Kind == AttemptKind.Retry && !context.CancellationToken.IsCancellationRequested,
                outcome => outcome.Result?.RetryAfter);

    /// <summary>Statuses a pre-signed link answers once it has expired, or once its file is gone.</summary>
    public static bool IsExpiredStatus(int status) => status is 401 or 403 or 404 or 410;

    /// <summary>Types that mean the body is an error page, not a video.</summary>
    public static bool IsErrorPageType(string? mediaType)
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

    /// <summary>The failure of a status that may pass (408, 429, 5xx), with the wait its Retry-After asks for.</summary>
    public AttemptResult Passing(HttpResponseMessage response, string snippet = "") =>
        AttemptResult.Retry($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{Quote(snippet)}", (int)response.StatusCode,
            HttpRetryPolicy.RetryAfter(response.Headers, _clock.GetUtcNow()));

    /// <summary>
    /// Runs <paramref name="attempt"/> until it is done, through fresh links and retries, and returns what it
    /// came to; throws when the download cannot go on. <paramref name="afterRefresh"/> runs after each fresh link,
    /// and <paramref name="stoppedAt"/> words how far the download got, for the error.
    /// </summary>
    public async Task<AttemptResult> RunAsync(Func<Task<AttemptResult>> attempt, Action? afterRefresh, Func<string> stoppedAt)
    {
        var context = ResilienceContextPool.Shared.Get(_cancellation);
        AttemptResult last;
        try
        {
            last = await _pipeline.ExecuteAsync(
                static async (_, state) => await state.Self.UntilFailureAsync(state.attempt, state.afterRefresh).ConfigureAwait(false),
                context,
                (Self: this, attempt, afterRefresh)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
        if (last.Kind == AttemptKind.Done)
        {
            return last;
        }
        if (HttpRetryPolicy.IsTooLong(last.RetryAfter))
        {
            throw Fail(HailuoErrorKind.Transient,
                $"The download of '{_fileName}' stopped{stoppedAt()}: the server answered {last.Reason} and {HttpRetryPolicy.WaitRefused(last.RetryAfter!.Value)}.",
                last.Status, last.Error, HailuoRemedy.TryLater);
        }
        throw Fail(HailuoErrorKind.Transient,
            $"The download of '{_fileName}' failed {Failures} times; it stopped{stoppedAt()}. Last problem: {last.Reason}",
            last.Status, last.Error);
    }

    /// <summary>One try for the retry pipeline: the request, and again on a fresh link for as long as the link expires.</summary>
    private async Task<AttemptResult> UntilFailureAsync(Func<Task<AttemptResult>> attempt, Action? afterRefresh)
    {
        while (true)
        {
            _cancellation.ThrowIfCancellationRequested();
            var result = await GuardAsync(attempt).ConfigureAwait(false);
            switch (result.Kind)
            {
                case AttemptKind.Expired:
                    await RefreshAsync(result).ConfigureAwait(false);
                    afterRefresh?.Invoke();
                    continue;
                case AttemptKind.Retry:
                    Failures++;
                    return result;
                default:
                    return result;
            }
        }
    }

    /// <summary>Turns a fault of the connection into a failure to retry, and one a cancellation caused into the cancellation.</summary>
    private async Task<AttemptResult> GuardAsync(Func<Task<AttemptResult>> attempt)
    {
        try
        {
            return await attempt().ConfigureAwait(false);
        }
        catch (LocalFileException e)
        {
            ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
            throw;
        }
        catch (Exception e) when (_cancellation.IsCancellationRequested && e is not OperationCanceledException && IsFault(e))
        {
            // Cancelling drops the response, which surfaces as an I/O error; the caller asked for a cancellation.
            throw new OperationCanceledException("The download was cancelled.", e, _cancellation);
        }
        catch (Exception e) when (!_cancellation.IsCancellationRequested && IsFault(e))
        {
            return AttemptResult.Retry(e is OperationCanceledException or ObjectDisposedException
                ? $"no answer, or under {_options.MinBytesPerSecond} bytes a second, for the read timeout of {_options.ReadTimeout.TotalSeconds:0.#} s"
                : e.Message, error: e);
        }
    }

    /// <summary>A fault of the connection, or the read timeout's: it cancels the attempt, and so disposes its response.</summary>
    private static bool IsFault(Exception e) => HttpRetryPolicy.IsConnectionFault(e) || e is ObjectDisposedException or OperationCanceledException;

    private async Task RefreshAsync(AttemptResult expired)
    {
        var status = expired.Status ?? 0;
        if (_request.RefreshSource is null)
        {
            throw Fail(HailuoErrorKind.Expired,
                $"The download link answered HTTP {status}: it has expired or the file is gone{Quote(expired.Reason)}. No fresh link can be fetched for this download.",
                status);
        }
        if (Refreshes >= _options.MaxRefreshes)
        {
            // 404 and 410 that survive fresh links mean the file itself is gone, e.g. Replicate's one-hour retention.
            var gone = status is 404 or 410;
            throw Fail(gone ? HailuoErrorKind.NotFound : HailuoErrorKind.Expired,
                gone
                    ? $"The video is gone: its link still answered HTTP {status} after {Refreshes} fresh link(s){Quote(expired.Reason)}. The provider may have deleted the output (Replicate keeps outputs for one hour)."
                    : $"The download link still answered HTTP {status} after {Refreshes} fresh link(s){Quote(expired.Reason)}.",
                status,
                remedy: gone ? HailuoRemedy.ForceResubmit : null);
        }
        Refreshes++;
        var fresh = await _request.RefreshSource(_cancellation).ConfigureAwait(false);
        VideoDownloader.CheckSource(fresh);
        Source = fresh;
    }

    public static string Quote(string snippet) => snippet.Length == 0 ? "" : $": \"{snippet}\"";

    public static HailuoException Fail(HailuoErrorKind kind, string message, int? status = null, Exception? inner = null, HailuoRemedy? remedy = null) =>
        new(new HailuoError(kind, message, status?.ToString(CultureInfo.InvariantCulture), remedy), inner);
}

internal enum AttemptKind { Done, Retry, Expired }

/// <summary>What one request of a download came to: the video (or its size), a passing failure, or an expired link.</summary>
/// <param name="Kind">Done, worth another try, or in need of a fresh link.</param>
/// <param name="Reason">What went wrong, in words for the error.</param>
/// <param name="Status">The HTTP status, when there was an answer.</param>
/// <param name="RetryAfter">The wait the answer asked for.</param>
/// <param name="Error">The fault, when there was no answer.</param>
/// <param name="Length">The video's size, as a size probe found it; null when the server did not say.</param>
internal sealed record AttemptResult(AttemptKind Kind, string Reason, int? Status, TimeSpan? RetryAfter, Exception? Error, long? Length)
{
    public static readonly AttemptResult Done = new(AttemptKind.Done, "", null, null, null, null);

    public static AttemptResult Found(long? length) => new(AttemptKind.Done, "", null, null, null, length);

    public static AttemptResult Retry(string reason, int? status = null, TimeSpan? retryAfter = null, Exception? error = null) =>
        new(AttemptKind.Retry, reason, status, retryAfter, error, null);

    public static AttemptResult Expired(int status, string reason) => new(AttemptKind.Expired, reason, status, null, null, null);
}
