using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Downloads;
using Hailuo.Models;

namespace Hailuo;

// Saving a job's video: a fresh link, the download, and the ledger's claim on the file, so that two processes never
// write one file and a video saved before is not fetched again. The rest of the client: src/Hailuo/HailuoClient.cs.
public sealed partial class HailuoClient
{
    // The downloader follows redirects itself, to http and https links only. Process-wide (docs/architecture.md): it
    // holds nothing of any account.
    private static readonly HttpClient DownloadHttp = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>A fresh link to a succeeded job's video: MiniMax through files/retrieve, the others by re-reading the job.</summary>
    public async Task<Uri> ResolveVideoUriAsync(HailuoJob job, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        // A status read refreshes the link, except on MiniMax, where a known file id is all retrieve needs.
        var current = job.Status == JobStatus.Succeeded && !_account.Adapter.StatusGivesVideoUri && job.FileId is not null
            ? job
            : await RefreshAsync(job, cancellationToken).ConfigureAwait(false);
        if (current.Status != JobStatus.Succeeded)
        {
            throw new HailuoException(new HailuoError(HailuoErrorKind.Validation,
                $"Job {job.Id} is {current.Status}, so it has no video to download.", "Job",
                current.Status.IsFinal() ? HailuoRemedy.SubmitAgain : HailuoRemedy.WaitFirst));
        }
        if (_account.Adapter.BuildRetrieve(current) is { } retrieve)
        {
            using var response = await _account.Transport.SendAsync(retrieve, cancellationToken).ConfigureAwait(false);
            return _account.Adapter.ParseRetrieve(response.Root)
                ?? throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol, $"{Provider} returned no download link for {job.Id}."));
        }
        if (current.Error is { Kind: HailuoErrorKind.Expired } gone)
        {
            throw new HailuoException(gone);
        }
        if (current.VideoUri is null && _account.Adapter.GivesVideoLinkOnce)
        {
            // The ledger keeps such links (SharedAccount.KeepsVideoLink); a job without one was recorded before it did.
            throw new HailuoException(_account.Adapter.VideoLinkGone(job.Id, "the ledger holds no link for it (it was recorded by a version that did not keep them)"));
        }
        return current.VideoUri
            ?? throw new HailuoException(new HailuoError(HailuoErrorKind.Protocol, $"{Provider} reports {job.Id} as succeeded but gives no video link."));
    }

    /// <summary>
    /// Downloads a succeeded job's video to <paramref name="destinationPath"/>: streamed, resumed after
    /// breaks, refreshed when the link expires, verified, and renamed into place only when whole.
    /// </summary>
    public async Task<DownloadResult> DownloadAsync(HailuoJob job, string destinationPath, bool overwrite = false,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (!overwrite && OwnerOfFile(job, destinationPath) is { } owner)
        {
            // The downloader skips a file of the video's size as this video: right for a re-run, wrong for another job's.
            throw new HailuoException(new HailuoError(HailuoErrorKind.Validation,
                $"'{Path.GetFullPath(destinationPath)}' already holds the video of job {owner}, so the video of job {job.Id} was not saved over it.", "Path",
                HailuoRemedy.DistinctFileNames));
        }
        if (!overwrite && SavedBefore(job, destinationPath) is { } saved)
        {
            // The ledger saw this video saved here whole, and it still is: done, without asking the provider anything.
            return saved;
        }
        if (await WaitForOtherDownloaderAsync(job, destinationPath, overwrite, cancellationToken).ConfigureAwait(false) is { } savedElsewhere)
        {
            return savedElsewhere;
        }
        DownloadResult result;
        try
        {
            var source = job.Status == JobStatus.Succeeded && job.VideoUri is { } known && _account.Adapter.StatusGivesVideoUri
                ? known
                : await ResolveVideoUriAsync(job, cancellationToken).ConfigureAwait(false);
            try
            {
                result = await _downloader.DownloadAsync(new DownloadRequest(source, destinationPath)
                {
                    Overwrite = overwrite,
                    RefreshSource = token => ResolveVideoUriAsync(job, token),
                }, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (HailuoException e) when (_account.Adapter.GivesVideoLinkOnce && e.Error.Kind is HailuoErrorKind.Expired or HailuoErrorKind.NotFound)
            {
                // The one link, tried again as its own "fresh" link, still answered as expired or gone: no other exists.
                var answered = e.Error.Code is { } status ? $" (it answers HTTP {status})" : "";
                throw new HailuoException(_account.Adapter.VideoLinkGone(job.Id, $"the link it gave has expired or its file is gone{answered}", e.Error.Code), e);
            }
        }
        catch
        {
            Ledger?.RecordDownloadAbandoned(Provider, job.Id);
            throw;
        }
        Ledger?.RecordDownloaded(Provider, job.Id, result.Path, result.Length);
        Log(HailuoLogLevel.Debug, string.Format(CultureInfo.InvariantCulture, "{0}: {1} {2} as {3} in {4} request(s) with {5} fresh link(s).",
            Provider, result.Skipped ? "kept" : "downloaded", job.Id, result.Path, result.Attempts, result.Refreshes));
        return result;
    }

    /// <summary>
    /// Claims this download in the ledger. While another process that still runs is writing the same file, waits for it:
    /// its finished file is this one's too (a skip), and if it gives up or stops, the claim passes here. Null once the
    /// claim is this process's.
    /// </summary>
    private async Task<DownloadResult?> WaitForOtherDownloaderAsync(HailuoJob job, string path, bool overwrite, CancellationToken cancellationToken)
    {
        if (Ledger is not { } ledger)
        {
            return null;
        }
        var said = false;
        while (ledger.TryClaimDownload(Provider, job.Id, path) is { } holder)
        {
            if (!said)
            {
                Log(HailuoLogLevel.Verbose, $"{Provider}: process {holder.Id} is saving job {job.Id} to {Path.GetFullPath(path)}; waiting for it instead of downloading it again.");
                said = true;
            }
            await _account.Clock.Wait(Options.SharedLedgerPollInterval, cancellationToken).ConfigureAwait(false);
            if (!overwrite && SavedBefore(job, path) is { } saved)
            {
                return saved;
            }
        }
        return null;
    }

    /// <summary>A skip, when the ledger records this job's video saved at <paramref name="path"/> and the file is still there, whole.</summary>
    private DownloadResult? SavedBefore(HailuoJob job, string path)
    {
        var full = Path.GetFullPath(path);
        return Ledger?.FindById(Provider, job.Id) is { IsDownloaded: true, VideoPath: { } saved, VideoLength: { } length }
            && string.Equals(saved, full, StringComparison.Ordinal)
            ? new DownloadResult { Path = full, Length = length, Skipped = true }
            : null;
    }

    /// <summary>The id of another job whose video the ledger says is the file at <paramref name="path"/>, still whole; null otherwise.</summary>
    private string? OwnerOfFile(HailuoJob job, string path)
    {
        if (Ledger is not { } ledger || !File.Exists(path))
        {
            return null;
        }
        // An index lookup: a re-run over a big CSV asks this for every row whose file is already there.
        return ledger.FindByVideoPath(Path.GetFullPath(path)) is { JobId: { } id } entry && id != job.Id && entry.IsDownloaded ? id : null;
    }
}
