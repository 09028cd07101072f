using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Credentials;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Tracking;
using Hailuo.Transport;

namespace Hailuo;

/// <summary>
/// What every client of one account shares in this process: the transport (and so the rate
/// limits), the tracker, the ledger, and the cap on jobs in flight. An account is a provider, base URI,
/// key, ledger and clock (see <see cref="Acquire"/>): each <see cref="HailuoClient"/> holds one, so clients
/// made by different runspaces' connections (src/Hailuo/Connection/HailuoConnection.cs) for the same key share it, and
/// two pipelines never each believe they own the whole budget. Counted, so the last client to go closes it.
/// Process-wide state: docs/architecture.md.
/// </summary>
internal sealed class SharedAccount
{
    // Process-wide (docs/architecture.md): every account a client holds, by its key; the last client to go removes it.
    private static readonly object Gate = new();
    // By account and clock: clients on different clocks (a test's) must not share a tracker.
    private static readonly Dictionary<(string Account, TimeProvider Clock), SharedAccount> Accounts = new();

    private readonly (string, TimeProvider) _key;
    private int _clients;

    private SharedAccount((string, TimeProvider) key, HailuoClientOptions options, ProviderAdapter adapter, HailuoCredential credential)
    {
        _key = key;
        Adapter = adapter;
        Credential = credential;
        Clock = EmulatedTime.For(options.TimeProvider, options.EffectiveBaseUri);
        Transport = new ProviderTransport(options, adapter, credential, Clock);
        var inFlight = SharedLimits.JobsInFlight(Transport.AccountKey);
        InFlight = inFlight;
        Ledger = options.UseLedger ? new JobLedger(options.LedgerPath ?? JobLedger.DefaultPath(), JobLedger.DefaultAutoCompactFloor, Clock) : null;
        Lookup = new CreateLookup(adapter, Transport, options, Clock);
        OneCreateAtATime = adapter.Profile.SendsCreatesOneAtATime(options) ? new SemaphoreSlim(1, 1) : null;
        Action<HailuoLogLevel, string>? redacted = options.Log is { } log ? (level, message) => credential.LogRedacted(log, level, message) : null;
        Tracker = new JobTracker(
            RefreshAsync,
            new TrackerOptions
            {
                StartTimesReported = adapter.Profile.ReportsStartTime,
                SlotsWanted = () => inFlight.Waiting > 0,
            },
            Clock,
            redacted);
        if (Ledger is not null)
        {
            // The first batch of a session starts from what this account's jobs took before, not from the published range.
            var learned = LedgerHistory.Teach(Tracker.Durations, Ledger, adapter.Provider, credential.Fingerprint);
            redacted?.Invoke(HailuoLogLevel.Debug, $"{adapter.Provider}: expected generation times learned from {learned} finished job(s) in the ledger.");
        }
    }

    public ProviderAdapter Adapter { get; }

    /// <summary>The clock of everything this account paces: the client's, learning the emulator's pace where it may run.</summary>
    public TimeProvider Clock { get; }

    public HailuoCredential Credential { get; }

    public ProviderTransport Transport { get; }

    public JobTracker Tracker { get; }

    public JobSlots InFlight { get; }

    public JobLedger? Ledger { get; }

    /// <summary>Finds the job of a create whose answer was never recorded.</summary>
    public CreateLookup Lookup { get; }

    /// <summary>
    /// Held from a create's intent until its answer is recorded, where the provider has no list in which a lost create
    /// could be found again (core.today, MiniMax): null where it has one, or where a create is the whole wait.
    /// </summary>
    public SemaphoreSlim? OneCreateAtATime { get; }

    /// <summary>The ledger keys of the intents whose creates this process is sending now.</summary>
    public ConcurrentDictionary<string, byte> Sending { get; } = new(StringComparer.Ordinal);

    /// <summary>Processes that sent creates and have stopped, with when this process first saw each gone.</summary>
    public ConcurrentDictionary<ProcessStamp, DateTimeOffset> StoppedSenders { get; } = new();

    /// <summary>The creates under way in this process, by input hash: a second submission of the same input waits for the first.</summary>
    public ConcurrentDictionary<string, Task<HailuoJob>> Creating { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the ledger keeps this job's video link: a succeeded job's, where the provider gives the link only in the
    /// create's answer (ProviderProfile.GivesVideoLinkOnce), and never a link that holds the key in any form.
    /// </summary>
    public bool KeepsVideoLink(HailuoJob job) =>
        Adapter.GivesVideoLinkOnce
        && job.Status == JobStatus.Succeeded
        && job.VideoUri is { } link
        && Credential.Redact(link.AbsoluteUri) == link.AbsoluteUri;

    /// <summary>Reads a job's status from the provider, and records a change in the ledger.</summary>
    public Task<HailuoJob> RefreshAsync(HailuoJob job, CancellationToken cancellationToken)
    {
        if (!Adapter.CreateWaitsForVideo)
        {
            return ReadStatusAsync(Adapter.BuildStatus(job), job, cancellationToken);
        }
        // Cloudflare's documented run answers once, with the finished job: there is nothing to ask again.
        return job.IsFinal
            ? Task.FromResult(job)
            : throw new HailuoException(new HailuoError(HailuoErrorKind.NotSupported,
                $"{Adapter.Provider} has no call that reads the status of job {job.Id}: its run answers once, when the video is ready."));
    }

    /// <summary>Sends a call whose answer is the job's status (a status read, a cancel), and records a change in the ledger.</summary>
    public async Task<HailuoJob> ReadStatusAsync(ApiCall call, HailuoJob job, CancellationToken cancellationToken)
    {
        using var response = await Transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        var fresh = Credential.Scrub(Adapter.ParseStatus(response.Root, job));
        if (fresh.IsFinal && !job.IsFinal && fresh.CompletedAt is null)
        {
            // MiniMax reports no times: the read that found it done stands in, late by at most one read's gap, so that
            // the ledger can still tell a later session how long such jobs take.
            fresh = fresh.With(completedAt: Clock.GetUtcNow());
        }
        if (fresh.Status != job.Status)
        {
            Ledger?.RecordStatus(fresh);
        }
        return fresh;
    }

    public static SharedAccount Acquire(HailuoClientOptions options, ProviderAdapter adapter, HailuoCredential credential)
    {
        var key = (string.Join("|",
            adapter.Provider,
            options.EffectiveBaseUri.ToString().TrimEnd('/'),
            credential.Fingerprint,
            options.CloudflareAccountId ?? "",
            options.UseLedger ? options.LedgerPath ?? "default" : "none"), options.TimeProvider);
        lock (Gate)
        {
            if (!Accounts.TryGetValue(key, out var account))
            {
                account = new SharedAccount(key, options, adapter, credential);
                Accounts[key] = account;
            }
            account._clients++;
            return account;
        }
    }

    public void Release()
    {
        lock (Gate)
        {
            if (--_clients > 0)
            {
                return;
            }
            Accounts.Remove(_key);
        }
        Tracker.Dispose();
        Transport.Dispose();
        Ledger?.Dispose();
    }
}
