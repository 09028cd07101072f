using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Tracking;
using Hailuo.Transport;
using Hailuo.Validation;

namespace Hailuo;

/// <summary>
/// A <see cref="HailuoClient"/>'s submits, so that an input is paid for once: the same input being created in this
/// process or another, the ledger's job for it, a create whose answer was lost (looked up at the provider), and the
/// paid create itself with its intent recorded before it goes. Thread-safe: what submits share lives on the account.
/// </summary>
internal sealed class JobSubmitter
{
    private readonly SharedAccount _account;

    public JobSubmitter(SharedAccount account, HailuoClientOptions options)
    {
        _account = account;
        Options = options;
    }

    /// <summary>The client's options: its log, its cap on jobs in flight, its settle times.</summary>
    private HailuoClientOptions Options { get; }

    private HailuoProvider Provider => Options.Provider;

    private string Account => _account.Credential.Fingerprint;

    private JobTracker Tracker => _account.Tracker;

    private JobLedger? Ledger => _account.Ledger;

    /// <summary>Submits a request that was validated: see <see cref="HailuoClient.SubmitAsync"/>.</summary>
    public async Task<HailuoJob> SubmitAsync(VideoRequest request, SubmitOptions submit, CancellationToken cancellationToken)
    {
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
    private async Task<string> InputHashAsync(VideoRequest request, CancellationToken cancellationToken)
    {
        var imageHash = request.HasLocalImage ? await ImageSource.HashAsync(request.FirstFrameImage!, cancellationToken).ConfigureAwait(false) : null;
        return InputHash.Compute(Provider, request, imageHash);
    }

    /// <summary>The job a submit of <paramref name="request"/> would reuse from the ledger (see <see cref="HailuoClient.FindReusableAsync"/>).</summary>
    public async Task<(HailuoJob? Job, string InputHash)> FindReusableAsync(VideoRequest request, CancellationToken cancellationToken)
    {
        var inputHash = await InputHashAsync(request, cancellationToken).ConfigureAwait(false);
        var known = Ledger?.FindByInput(Provider, Account, inputHash);
        return (known is { State: LedgerState.Submitted, JobId: not null } ? known.ToJob() : null, inputHash);
    }

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

    private void Log(HailuoLogLevel level, string message) => _account.Credential.LogRedacted(Options.Log, level, message);
}
