using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Models;
using Hailuo.Transport;

namespace Hailuo.Downloads;

/// <summary>
/// Fetches finished videos from their pre-signed links to disk: streamed through a temp file that is
/// renamed into place only when the whole MP4 has arrived and checks out, resumed with Range after a
/// broken connection, and re-linked through <see cref="DownloadRequest.RefreshSource"/> when a link
/// expires. One instance serves any number of concurrent downloads.
/// </summary>
/// <remarks>
/// This file checks the request and picks the way; the work is in DownloadTransfer.cs (the bytes), PartialFile.cs
/// (the temp file) and DownloadRecovery.cs (retries and fresh links, on Transport/HttpRetryPolicy.cs).
/// </remarks>
public sealed class VideoDownloader
{

    /// <param name="http">
    /// A client without credentials: download links are pre-signed and may point at any CDN host,
    /// so an API key on this client would leak to them.
    /// </param>
    /// <param name="options">Limits and retry pacing; null takes the defaults.</param>
    /// <param name="clock">
    /// The clock retries wait on (HailuoClientOptions.TimeProvider): the backoff passes at the provider's pace
    /// (<see cref="EmulatedTime"/>); the read timeout is always real time. Null is the system's.
    /// </param>
    public VideoDownloader(HttpClient http, DownloadOptions? options = null, TimeProvider? clock = null)
    {
        Http = http ?? throw new ArgumentNullException(nameof(http));
        EnsureNoCredentials(http);
        Options = (options ?? new DownloadOptions()).Validated();
        Clock = clock ?? TimeProvider.System;
        Retries = DownloadRecovery.Pipeline(Options, Clock);
    }

    /// <summary>The clock retries wait on and a Retry-After date is counted from.</summary>
    internal TimeProvider Clock { get; }

    internal HttpClient Http { get; }

    /// <summary>A private copy of the caller's options, so that changing them does not reach downloads under way.</summary>
    internal DownloadOptions Options { get; }

    /// <summary>One retry pipeline for every download of this instance: Polly's pipelines are thread-safe.</summary>
    internal Polly.ResiliencePipeline<AttemptResult> Retries { get; }

    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }
        // Checked again here because headers can be added to the client after construction.
        EnsureNoCredentials(Http);
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
                $"'{destination}' is a folder, not a file name for the video.", remedy: HailuoRemedy.FixSavePath));
        }
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(folder);
        PartialFile.SweepOrphans(folder);

        var transfer = new DownloadTransfer(this, request, destination, progress, cancellationToken);
        if (File.Exists(destination) && !request.Overwrite)
        {
            return await transfer.SkipOrRefuseAsync().ConfigureAwait(false);
        }
        return await transfer.RunAsync().ConfigureAwait(false);
    }

    private static void EnsureNoCredentials(HttpClient http)
    {
        if (RedirectFollower.CarriesCredentials(http.DefaultRequestHeaders))
        {
            throw new ArgumentException(
                "The HttpClient for downloads must not carry credentials (Authorization, X-API-Key or cookies): download links are pre-signed and may point at any CDN host.",
                nameof(http));
        }
    }

    internal static void CheckSource(Uri? source)
    {
        if (source is null || !source.IsAbsoluteUri || (source.Scheme != Uri.UriSchemeHttps && source.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{source}' is not an http or https download link.", nameof(source));
        }
    }
}
