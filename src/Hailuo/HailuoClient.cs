using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Credentials;
using Hailuo.Downloads;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Tracking;
using Hailuo.Transport;
using Hailuo.Validation;

namespace Hailuo;

/// <summary>Per-submission choices.</summary>
public sealed class SubmitOptions
{
    /// <summary>Submit even when the ledger already has this input (or an unknown outcome for it): pays again.</summary>
    public bool Force { get; set; }

    /// <summary>Data that rides along on the job and in the ledger, such as the CSV row.</summary>
    public IReadOnlyDictionary<string, string?>? Tag { get; set; }

    /// <summary>The input's row number, kept in the ledger so that later listings name files as the batch did.</summary>
    public long? Row { get; set; }

    /// <summary>
    /// This submit waits while the account has this many jobs in flight (New-HailuoVideo -ThrottleLimit); null uses
    /// <see cref="HailuoClientOptions.MaxJobsInFlight"/>. Jobs count once per account, whatever limit each submit brings.
    /// </summary>
    public int? MaxJobsInFlight { get; set; }

    /// <summary>Set by New-HailuoVideo, which validated the row (its image probed on disk) just before: not done twice.</summary>
    internal bool Validated { get; set; }

    /// <summary>Set with <see cref="HailuoClient.FindReusableAsync"/>'s hash, so that a local image is not read twice.</summary>
    internal string? InputHash { get; set; }
}

/// <summary>
/// The client for one provider and account. Thread-safe: one instance serves a whole batch. Every
/// call validates before it spends, takes a CancellationToken, and keeps the ledger current so a
/// re-run never pays twice.
/// </summary>
public sealed class HailuoClient : IDisposable
{
    // The downloader follows redirects itself, to http and https links only. Process-wide (docs/architecture.md): it
    // holds nothing of any account.
    private static readonly HttpClient DownloadHttp = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };

    private readonly SharedAccount _account;
    private readonly VideoDownloader _downloader;
    private int _disposed;

    public HailuoClient(HailuoClientOptions options)
    {
        options.Validate();
        Options = options;
        var sources = options.Credentials ?? new EnvironmentCredentialSource();
        var credential = sources.GetCredential(options.Provider)
            ?? throw new HailuoException(new HailuoError(HailuoErrorKind.Authentication,
                $"No API key is configured for {options.Provider}: none was given, and none is in {string.Join(" or ", EnvironmentCredentialSource.VariablesFor(options.Provider))}.",
                remedy: HailuoRemedy.ConnectFirst));
        _account = SharedAccount.Acquire(options, CreateAdapter(options), credential);
        // Retry waits pass at the provider's pace like every other built-in time; read timeouts stay real.
        _downloader = new VideoDownloader(DownloadHttp, options.Download, _account.Clock);
    }

    public HailuoClientOptions Options { get; }

    public HailuoProvider Provider => Options.Provider;

    /// <summary>The account's fingerprint (never the key), as recorded in the ledger.</summary>
    public string Account => _account.Credential.Fingerprint;

    /// <summary>The tracker every client of this account shares.</summary>
    public JobTracker Tracker => _account.Tracker;

    public JobLedger? Ledger => _account.Ledger;

    internal static ProviderAdapter CreateAdapter(HailuoClientOptions options) => ProviderProfiles.For(options.Provider).CreateAdapter(options);

    /// <summary>
    /// Checks a request without sending anything: the same rules a submit applies first. An empty
    /// list means it is valid.
    /// </summary>
    public IReadOnlyList<HailuoError> Validate(VideoRequest request) => RequestValidator.Validate(request, Provider, IsLocalProvider);

    /// <summary>The provider is on this computer (the emulator), so it may fetch images from here.</summary>
    private bool IsLocalProvider => NetworkAddress.IsLoopback(Options.EffectiveBaseUri);

    /// <summary>
    /// Submits a video and returns at once with the queued job; it does not wait for the video.
    /// An input the ledger already holds returns its job (<see cref="HailuoJob.Reused"/>) unless
    /// forced. Waits for room under the rate limit and the cap on jobs in flight.
    /// </summary>
    public async Task<HailuoJob> SubmitAsync(VideoRequest request, SubmitOptions? submit = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        submit ??= new SubmitOptions();
        if (!submit.Validated)
        {
            RequestValidator.ThrowIfInvalid(request, Provider, IsLocalProvider);
        }
        var model = request.EffectiveModel!;
        var inputHash = submit.InputHash ?? await InputHashAsync(request, cancellationToken).ConfigureAwait(false);
        var tag = submit.Tag ?? new Dictionary<string, string?>();

        while (true)
        {
            LedgerEntry? known = null;
            if (!submit.Force)
            {
                // The same input being created in this process (a row twice in one CSV): that job is this one's too.
                if (_account.Creating.TryGetValue(inputHash, out var underway))
                {
                    if (await OutcomeOfAsync(underway, cancellationToken).ConfigureAwait(false) is { } made)
                    {
                        return made.With(tag: tag.Count > 0 ? tag : made.Tag, reused: true);
                    }
                    continue; // it failed: see what the ledger says now
                }
                known = Ledger?.FindByInput(Provider, Account, inputHash);
                if (known is { State: LedgerState.Submitting } && StillSending(known))
                {
                    // A process that still runs (another, or this one for a forced submit) is sending this input: its
                    // outcome is this row's, whatever it is.
                    await WaitForOtherSenderAsync(known, inputHash, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (known?.State is LedgerState.Submitting or LedgerState.OutcomeUnknown)
                {
                    if (await RecoverAsync(known, request, model, inputHash, tag, cancellationToken).ConfigureAwait(false) is { } recovered)
                    {
                        return recovered;
                    }
                }
                else if (known is not null && Reuse(known, tag) is { } reused)
                {
                    return reused;
                }
            }

            var creating = new TaskCompletionSource<HailuoJob>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!submit.Force && !_account.Creating.TryAdd(inputHash, creating.Task))
            {
                continue;
            }
            try
            {
                if (await CreateAsync(request, model, inputHash, tag, submit, known, cancellationToken).ConfigureAwait(false) is { } job)
                {
                    creating.TrySetResult(job);
                    return job;
                }
                // Another process wrote an entry for this input after it was read: decide again on what it says now.
            }
            finally
            {
                // Gone from the table before it ends, so that a waiter that wakes and looks again does not find it.
                ((ICollection<KeyValuePair<string, Task<HailuoJob>>>)_account.Creating).Remove(new KeyValuePair<string, Task<HailuoJob>>(inputHash, creating.Task));
                creating.TrySetCanceled();
            }
        }
    }

    /// <summary>The hash by which the ledger knows this input again (a local image counts by its content).</summary>
    internal async Task<string> InputHashAsync(VideoRequest request, CancellationToken cancellationToken)
    {
        var imageHash = request.HasLocalImage ? await ImageSource.HashAsync(request.FirstFrameImage!, cancellationToken).ConfigureAwait(false) : null;
        return InputHash.Compute(Provider, request, imageHash);
    }

    /// <summary>
    /// The job a submit of <paramref name="request"/> would reuse from the ledger instead of paying (null: it would pay),
    /// and the input's hash; sends nothing. What -WhatIf and the cost estimate go by.
    /// </summary>
    public async Task<(HailuoJob? Job, string InputHash)> FindReusableAsync(VideoRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var inputHash = await InputHashAsync(request, cancellationToken).ConfigureAwait(false);
        var known = Ledger?.FindByInput(Provider, Account, inputHash);
        return (known is { State: LedgerState.Submitted, JobId: not null } ? known.ToJob() : null, inputHash);
    }

    /// <summary>Jobs of this account that may run at once unless a submit brings its own limit; more submits wait.</summary>
    public int JobsInFlightLimit => Options.MaxJobsInFlight;

    /// <summary>Submits of this account, in any pipeline of the process, now waiting until fewer jobs run.</summary>
    public long SubmitsWaitingForRoom => _account.InFlight.Waiting;

    /// <summary>
    /// Whether a submit holds until its video is ready (Cloudflare's documented run): each create under way is then a
    /// job in flight, and the job it returns is final.
    /// </summary>
    public bool CreateWaitsForVideo => _account.Adapter.CreateWaitsForVideo;

    /// <summary>The job another submission of the same input made, or null when it made none.</summary>
    private static async Task<HailuoJob?> OutcomeOfAsync(Task<HailuoJob> underway, CancellationToken cancellationToken)
    {
        if (!underway.IsCompleted)
        {
            var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => stopped.TrySetResult(true)))
            {
                await Task.WhenAny(underway, stopped.Task).ConfigureAwait(false);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return underway.Status == TaskStatus.RanToCompletion ? underway.Result : null;
    }

    /// <summary>
    /// The paid create: the intent (written only if the ledger still says what the decision to pay was based on,
    /// <paramref name="basedOn"/>, unless forced), the request, and the job id as soon as it answers. Null when
    /// another process wrote an entry for this input first.
    /// </summary>
    private async Task<HailuoJob?> CreateAsync(VideoRequest request, string model, string inputHash, IReadOnlyDictionary<string, string?> tag,
        SubmitOptions submit, LedgerEntry? basedOn, CancellationToken cancellationToken)
    {
        var lease = await _account.InFlight.AcquireAsync(submit.MaxJobsInFlight ?? Options.MaxJobsInFlight, cancellationToken).ConfigureAwait(false);
        var handedOver = false;
        // Where the provider cannot be asked what a lost create made, one create at a time is unanswered: a kill strands one row at most.
        var oneAtATime = _account.OneCreateAtATime;
        var hasTurn = false;
        IDisposable? permit = null;
        LedgerEntry? intent = null;
        try
        {
            if (oneAtATime is not null)
            {
                await oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
                hasTurn = true;
            }
            // The intent is written once the create can go at once: a kill while it waited for room strands nothing.
            permit = await _account.Transport.ReserveCreateAsync(cancellationToken).ConfigureAwait(false);
            intent = Ledger is null ? null
                : submit.Force ? Ledger.RecordIntent(Provider, Account, inputHash, request, tag, submit.Row)
                : Ledger.TryRecordIntent(Provider, Account, inputHash, request, tag, basedOn, submit.Row);
            if (Ledger is not null && intent is null)
            {
                return null;
            }
            if (intent is not null)
            {
                _account.Sending[intent.Key] = 0;
            }
            var image = await ImageAsSentAsync(request, cancellationToken).ConfigureAwait(false);
            var call = _account.Adapter.BuildCreate(request, model, image);
            var sentAt = _account.Clock.GetUtcNow();
            HailuoJob job;
            try
            {
                using var response = await _account.Transport.SendAsync(call, permit, cancellationToken).ConfigureAwait(false);
                job = _account.Credential.Scrub(_account.Adapter.ParseCreated(response.Root, model));
                if (job.Id.Length == 0)
                {
                    throw new HailuoException(new HailuoError(HailuoErrorKind.OutcomeUnknown,
                        $"{Provider} accepted the create but its answer names no job id. It was not resubmitted, so it cannot be paid for twice."));
                }
                if (!JobIds.IsUsable(job.Id))
                {
                    // A path, a control character or a formula would follow the id into requests, file names and exports.
                    throw new HailuoException(new HailuoError(HailuoErrorKind.OutcomeUnknown,
                        $"{Provider} accepted the create but its answer names the job '{JobIds.Describe(job.Id)}', which is not a job id (ids are letters, digits and - _ . : only, at most {JobIds.MaxLength} characters), so it cannot be followed. It was not resubmitted, so it cannot be paid for twice."));
                }
            }
            catch (SalvagedCreateException salvaged)
            {
                Log(HailuoLogLevel.Warning, salvaged.Message);
                job = new HailuoJob(salvaged.JobId, Provider, model, JobStatus.Queued);
            }
            catch (HailuoException e) when (intent is not null)
            {
                if (e.Error.Kind != HailuoErrorKind.OutcomeUnknown)
                {
                    Ledger!.RecordRejected(intent, e.Error);
                    throw;
                }
                Ledger!.RecordOutcomeUnknown(intent, e.Error);
                if (!_account.Adapter.Profile.ListsCreatedJobs)
                {
                    throw;
                }
                // This provider lists its jobs, so a later run can settle the question by itself: say so.
                var settled = intent.CreatedAt + Options.CreateSettleTime;
                throw new HailuoException(e.Error.WithRemedy(HailuoRemedy.RunAgainToSettle, settled), e);
            }
            catch (CreateNotSentException) when (intent is not null)
            {
                // Stopped before the request left: nothing was made, so a re-run sends it as new.
                Ledger!.RecordRejected(intent, new HailuoError(HailuoErrorKind.Validation, "The submission was stopped before it was sent; nothing was created."));
                throw;
            }
            catch (OperationCanceledException) when (intent is not null)
            {
                // Stopped while the create was under way: it may or may not have reached the provider.
                Ledger!.RecordOutcomeUnknown(intent, new HailuoError(HailuoErrorKind.OutcomeUnknown, "The submission was stopped while it was being sent."));
                throw;
            }

            // An answer that is already final (Cloudflare's run, or a create that waited) is the job's outcome: nothing is polled.
            job = job.With(request: request.Clone(), inputHash: inputHash, tag: tag, createdAt: job.CreatedAt ?? sentAt,
                completedAt: job.IsFinal && job.CompletedAt is null ? _account.Clock.GetUtcNow() : null);
            if (intent is not null)
            {
                // Where this answer is the only one to carry the video's link, the ledger keeps it for a later save.
                Ledger!.RecordSubmitted(intent, job, _account.KeepsVideoLink(job));
            }
            Log(HailuoLogLevel.Verbose, job.IsFinal
                ? $"{Provider}: submitted {job.Id} ({request}); it answered {job.Status}."
                : $"{Provider}: submitted {job.Id} ({request}).");
            if (job.IsFinal)
            {
                Tracker.Observe(job);
            }
            _ = Tracker.Track(job, lease);
            handedOver = true;
            return job;
        }
        finally
        {
            if (intent is not null)
            {
                _account.Sending.TryRemove(intent.Key, out _);
            }
            permit?.Dispose(); // a no-op once the first attempt has used it
            if (hasTurn)
            {
                oneAtATime!.Release();
            }
            if (!handedOver)
            {
                lease.Dispose();
            }
        }
    }

    private HailuoJob? Reuse(LedgerEntry known, IReadOnlyDictionary<string, string?> tag)
    {
        switch (known.State)
        {
            case LedgerState.Submitted when known.JobId is not null:
                var job = known.ToJob().With(tag: tag.Count > 0 ? tag : known.Tag, reused: true);
                Log(HailuoLogLevel.Verbose, $"{Provider}: this input was submitted before as {job.Id}; reusing it instead of paying again.");
                if (!job.IsFinal)
                {
                    _ = Tracker.Track(job);
                }
                return job;
            default:
                return null;
        }
    }

    /// <summary>The first frame as a create sends it: a local file as a data URI, a URL as it is.</summary>
    private static async Task<string?> ImageAsSentAsync(VideoRequest request, CancellationToken cancellationToken) =>
        request.HasLocalImage
            ? await ImageSource.ToDataUriAsync(request.FirstFrameImage!, cancellationToken).ConfigureAwait(false)
            : request.FirstFrameImage;

    /// <summary>
    /// An input whose create was sent but whose answer was never recorded (the process died, or the connection
    /// broke after the request left). The job it made is looked up at the provider and used; a create that
    /// provably never arrived is recorded so and sent now (null); anything else is reported, never sent again silently.
    /// </summary>
    private async Task<HailuoJob?> RecoverAsync(LedgerEntry known, VideoRequest request, string model, string inputHash,
        IReadOnlyDictionary<string, string?> tag, CancellationToken cancellationToken)
    {
        // The image is read (a local file becomes a data URI) only when the provider has a listing to compare it with.
        var found = await _account.Lookup.FindAsync(known, SenderDoneSince(known), request, model, token => ImageAsSentAsync(request, token),
            id => Ledger!.FindById(Provider, id) is not null, cancellationToken).ConfigureAwait(false);
        var sent = known.CreatedAt.ToString("u", CultureInfo.InvariantCulture);
        switch (found.Verdict)
        {
            case LostCreateVerdict.Found:
                var job = found.Job!.With(request: request.Clone(), inputHash: inputHash, tag: tag.Count > 0 ? tag : known.Tag,
                    createdAt: found.Job!.CreatedAt ?? known.CreatedAt, reused: true);
                Ledger!.RecordSubmitted(known, job);
                Log(HailuoLogLevel.Warning, $"{Provider}: the answer to this input's create (sent {sent}) was never recorded; {Provider} has the job as {job.Id}, which is used instead of paying again.");
                if (!job.IsFinal)
                {
                    _ = Tracker.Track(job);
                }
                return job;
            case LostCreateVerdict.NeverArrived:
                if (!Ledger!.RecordNeverArrived(known, new HailuoError(HailuoErrorKind.NotFound,
                    $"The create sent {sent} never reached {Provider}: it has no job with this input, so it was sent again.")))
                {
                    // Another submission of this input (a thread here, or another process) settled it first and sends it.
                    throw new HailuoException(new HailuoError(HailuoErrorKind.OutcomeUnknown,
                        $"This input's create sent {sent} never reached {Provider}, and another submission of the same input has taken it up, so it was not sent again here. Run the same command again to use that submission's job."));
                }
                Log(HailuoLogLevel.Warning, $"{Provider}: the create of this input sent {sent} never arrived ({Provider} has no job with it); sending it now.");
                return null;
            default:
                throw new HailuoException(new HailuoError(HailuoErrorKind.OutcomeUnknown,
                    $"This input was submitted to {Provider} on {sent}, and its answer never arrived, so it may have been accepted and charged. It was not sent again: {found.Reason.TrimEnd('.')}."));
        }
    }

    /// <summary>
    /// Since when no process can still send this entry's create: the one that recorded its outcome as unknown is done
    /// with it; one that stopped (killed, crashed) is done since this process first saw it gone. Null when the ledger
    /// does not name the sender (a line written before senders were recorded).
    /// </summary>
    private DateTimeOffset? SenderDoneSince(LedgerEntry entry)
    {
        if (entry.State == LedgerState.OutcomeUnknown)
        {
            return entry.UpdatedAt;
        }
        if (entry.Owner is not { } sender)
        {
            return null;
        }
        return sender.IsCurrent ? entry.UpdatedAt : _account.StoppedSenders.GetOrAdd(sender, _ => _account.Clock.GetUtcNow());
    }

    /// <summary>Whether a create of this intent may still be on its way: its process runs and, if this one, is sending it.</summary>
    private bool StillSending(LedgerEntry entry) => entry.Owner is { } sender
        && (sender.IsCurrent ? _account.Sending.ContainsKey(entry.Key) : sender.IsAlive());

    /// <summary>
    /// Waits while another process that still runs sends this input's create, looking at the shared ledger, until the
    /// entry says how it ended or that process stops. A create that process still has after the settle time is reported
    /// as in its hands, never as unknown, and never sent again here.
    /// </summary>
    private async Task WaitForOtherSenderAsync(LedgerEntry known, string inputHash, CancellationToken cancellationToken)
    {
        var sender = known.Owner!.Value;
        Log(HailuoLogLevel.Verbose, $"{Provider}: process {sender.Id} is submitting this input; waiting for its job instead of paying again.");
        var until = known.CreatedAt + Options.CreateSettleTime;
        while (true)
        {
            await _account.Clock.Wait(Options.SharedLedgerPollInterval, cancellationToken).ConfigureAwait(false);
            var now = Ledger!.FindByInput(Provider, Account, inputHash);
            if (now is null || now.Key != known.Key || now.State != LedgerState.Submitting || !StillSending(now))
            {
                return;
            }
            if (_account.Clock.GetUtcNow() > until)
            {
                throw new HailuoException(new HailuoError(HailuoErrorKind.Transient, string.Format(CultureInfo.InvariantCulture,
                    "Another process ({0}) has been submitting this input since {1:u} and has not finished, so it was not sent again here.",
                    sender.Id, known.CreatedAt), remedy: HailuoRemedy.RunAgainLater));
            }
        }
    }

    /// <summary>Reads a job's current status from the provider; the ledger supplies what it knows of the id.</summary>
    public Task<HailuoJob> GetJobAsync(string id, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new HailuoException(new HailuoError(HailuoErrorKind.Validation, "A job id is required.", "Id"));
        }
        return RefreshAsync(KnownOrBareJob(id.Trim()).Job, cancellationToken);
    }

    /// <summary>Re-reads a job; a succeeded job comes back with a fresh download link.</summary>
    public async Task<HailuoJob> RefreshAsync(HailuoJob job, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var fresh = await _account.RefreshAsync(job, cancellationToken).ConfigureAwait(false);
        Tracker.Observe(fresh);
        return fresh;
    }

    /// <summary>Cancels a job that has not finished. MiniMax and Cloudflare have no cancel call: that is an error that says so.</summary>
    public async Task<HailuoJob> CancelAsync(HailuoJob job, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var call = _account.Adapter.BuildCancel(job)
            ?? throw new HailuoException(new HailuoError(HailuoErrorKind.NotSupported,
                $"{Provider} has no cancel call: job {job.Id} runs to completion and is charged.",
                remedy: HailuoRemedy.LetItFinish));
        var fresh = await _account.ReadStatusAsync(call, job, cancellationToken).ConfigureAwait(false);
        Tracker.Observe(fresh);
        return fresh;
    }

    /// <summary>Waits for a job to be final, or for <paramref name="timeout"/>, returning the latest snapshot.</summary>
    public Task<HailuoJob> WaitAsync(HailuoJob job, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Tracker.WaitAsync(job, timeout, cancellationToken);
    }

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

    /// <summary>The job as the ledger knows it (request, tag) and the row it was submitted for; a bare one (row 0) for an id it has not seen.</summary>
    internal (HailuoJob Job, long Row) KnownOrBareJob(string id)
    {
        if (Ledger?.FindById(Provider, id) is { JobId: not null } known)
        {
            return (known.ToJob(), known.Row ?? 0);
        }
        // Checked before it goes into a request path: no provider issues such an id, and an escaped one would come back unreadable.
        if (!JobIds.IsUsable(id))
        {
            throw new HailuoException(new HailuoError(HailuoErrorKind.Validation,
                $"'{JobIds.Describe(id)}' is not a job id: ids are letters, digits and - _ . : only, at most {JobIds.MaxLength} characters. Nothing was sent.", "Id"));
        }
        return (new HailuoJob(id, Provider, HailuoModels.Standard, JobStatus.Queued), 0);
    }

    private void Log(HailuoLogLevel level, string message) => _account.Credential.LogRedacted(Options.Log, level, message);

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(HailuoClient));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _account.Release();
        }
    }
}
