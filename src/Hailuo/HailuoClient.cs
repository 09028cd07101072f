using System;
using System.Collections.Generic;
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

/// <summary>
/// The client for one provider and account. Thread-safe: one instance serves a whole batch. Every
/// call validates before it spends, takes a CancellationToken, and keeps the ledger current so a
/// re-run never pays twice. Its submits go through <see cref="JobSubmitter"/>; saving a video is in
/// src/Hailuo/HailuoClient.Download.cs.
/// </summary>
public sealed partial class HailuoClient : IDisposable
{
    private readonly SharedAccount _account;
    private readonly JobSubmitter _submitter;
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
        _submitter = new JobSubmitter(_account, options);
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
        return await _submitter.SubmitAsync(request, submit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The job a submit of <paramref name="request"/> would reuse from the ledger instead of paying (null: it would pay),
    /// and the input's hash; sends nothing. What -WhatIf and the cost estimate go by.
    /// </summary>
    public async Task<(HailuoJob? Job, string InputHash)> FindReusableAsync(VideoRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return await _submitter.FindReusableAsync(request, cancellationToken).ConfigureAwait(false);
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
