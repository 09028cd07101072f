using System;
using System.Net;
using Hailuo.Credentials;
using Hailuo.Downloads;
using Hailuo.Models;
using Hailuo.Providers;

namespace Hailuo;

/// <summary>A request rate: so many requests per window, as providers state their limits.</summary>
public sealed class RateLimit
{
    public RateLimit(int permits, TimeSpan window)
    {
        if (permits < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), "A rate limit allows at least one request; use null for no limit.");
        }
        Permits = permits;
        Window = window;
    }

    public int Permits { get; }

    public TimeSpan Window { get; }

    public static RateLimit PerMinute(int permits) => new(permits, TimeSpan.FromMinutes(1));

    public override string ToString() => $"{Permits} per {Window.TotalSeconds:0.###} s";
}

/// <summary>How a <see cref="HailuoClient"/> reaches its provider, and how hard it tries.</summary>
public sealed class HailuoClientOptions
{
    public HailuoClientOptions(HailuoProvider provider = HailuoProvider.CoreToday)
    {
        Provider = provider;
        var profile = ProviderProfiles.For(provider);
        CreateRateLimit = profile.CreateRateLimit;
        ReadRateLimit = profile.ReadRateLimit;
        MaxJobsInFlight = profile.DefaultMaxJobsInFlight;
    }

    public HailuoProvider Provider { get; }

    /// <summary>
    /// The API root, such as https://api.core.today/v1, or the emulator's http://127.0.0.1:5080/coretoday/v1.
    /// Null uses the provider's public endpoint. Must be https unless it is a loopback address.
    /// </summary>
    public Uri? BaseUri { get; set; }

    /// <summary>MiniMax only: the mainland host (api.minimaxi.com) instead of the global one (api.minimax.io).</summary>
    public bool MiniMaxMainland { get; set; }

    /// <summary>Cloudflare only: the account that runs Workers AI.</summary>
    public string? CloudflareAccountId { get; set; }

    /// <summary>
    /// Cloudflare only: submit through the Asynchronous Batch API (a <c>requests</c> array sent with ?queueRequest=true,
    /// then its request_id polled) instead of the run the model's page documents, which holds until the video is ready.
    /// Cloudflare's Batch API takes only the models its catalog lists for it: use this only where it lists minimax/hailuo-2.3.
    /// </summary>
    public bool CloudflareBatch { get; set; }

    /// <summary>
    /// Cloudflare only: how long the documented run may hold before it is abandoned (its outcome is then unknown, and it
    /// is not sent again). It holds for a whole generation, so it passes at the provider's pace (<see cref="EmulatedTime"/>),
    /// but never below <see cref="AttemptTimeout"/>.
    /// </summary>
    public TimeSpan CloudflareRunTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public ICredentialSource? Credentials { get; set; }

    /// <summary>Creates a minute, per account; null turns the client-side limit off.</summary>
    public RateLimit? CreateRateLimit { get; set; }

    /// <summary>Status reads, cancels and retrieves, per account (Cloudflare counts creates here too).</summary>
    public RateLimit? ReadRateLimit { get; set; }

    /// <summary>
    /// Jobs submitted and not yet final, per account; a submit waits for room. By default
    /// <see cref="ProviderProfile.DefaultMaxJobsInFlight"/>; a submit may bring its own (<see cref="SubmitOptions.MaxJobsInFlight"/>).
    /// </summary>
    public int MaxJobsInFlight { get; set; }

    /// <summary>Retries after the first attempt, for a read or a create that provably did not reach the provider.</summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>The first retry delay; later ones double up to <see cref="RetryMaxDelay"/>, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one attempt may take before it is abandoned: a server that never answers cannot hang a
    /// runbook. Real time, never at the emulator's pace: the network is not faster under the emulator.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// After a stop, how long a create whose request has left may still wait for its answer (real time), so that
    /// the job it paid for is recorded rather than left "outcome unknown". No new request is sent after a stop.
    /// </summary>
    public TimeSpan CreateStopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after its intent a create whose answer was never recorded (a crash, a timeout) may still reach the
    /// provider: until then, a provider that shows no job for it does not prove it never arrived. Two things keep
    /// it true: a create is retried for at most two thirds of it (<see cref="CreateRetryBudget"/>), and while the
    /// process that sent it still runs, other processes sharing the ledger wait for it rather than judge it. Once
    /// that process is done with it, <see cref="StoppedSenderSettleTime"/> suffices. Real time, never scaled.
    /// </summary>
    public TimeSpan CreateSettleTime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The longest a create is retried, from its first attempt: two thirds of <see cref="CreateSettleTime"/>, so that no
    /// create is still being sent when another process sharing the ledger may decide it never arrived.
    /// </summary>
    internal TimeSpan CreateRetryBudget => TimeSpan.FromTicks(CreateSettleTime.Ticks / 3 * 2);

    /// <summary>
    /// How often a process looks at the shared ledger while another process that still runs has the same create or
    /// download in hand (real time): it waits for that process's outcome instead of paying or downloading twice.
    /// </summary>
    public TimeSpan SharedLedgerPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// After the process that sent a create is seen to have stopped, how long a create it sent may still take to show
    /// in the provider's list of jobs (real time); then a create that is not in it never arrived.
    /// </summary>
    public TimeSpan StoppedSenderSettleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Limits of every video download: the largest file, the slowest rate, attempts and fresh links. The client takes a
    /// copy when it is made; its backoff passes at the provider's pace (<see cref="EmulatedTime"/>), its read timeout stays real.
    /// </summary>
    public DownloadOptions Download { get; set; } = new();

    /// <summary>The largest API reply read (not downloads); anything bigger is refused as hostile.</summary>
    public int MaxResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The clock and timers of everything the client paces: polls, retry and download backoff, rate windows, settle
    /// times. Against a loopback address it is wrapped in an <see cref="EmulatedTime"/> that learns the emulator's pace
    /// from its answers; give an <see cref="EmulatedTime"/> to set a pace before any answer. Network timeouts
    /// (<see cref="AttemptTimeout"/>, <see cref="DownloadOptions.ReadTimeout"/>) always run on real time.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the job ledger lives; null uses the per-user default; set <see cref="UseLedger"/> false for none.</summary>
    public string? LedgerPath { get; set; }

    public bool UseLedger { get; set; } = true;

    public string UserAgent { get; set; } = "Hailuo-PowerShell/0.1";

    /// <summary>Receives diagnostic lines (verbose and debug); the key is scrubbed from each before it is passed on.</summary>
    public Action<HailuoLogLevel, string>? Log { get; set; }

    /// <summary>The public endpoint of a provider (<see cref="ProviderProfile.BaseUriFor"/>).</summary>
    public static Uri DefaultBaseUri(HailuoProvider provider, bool miniMaxMainland = false) => ProviderProfiles.For(provider).BaseUriFor(miniMaxMainland);

    public Uri EffectiveBaseUri => BaseUri ?? DefaultBaseUri(Provider, MiniMaxMainland);

    /// <summary>Checks the options before any network call; messages say what to change.</summary>
    public void Validate()
    {
        var uri = EffectiveBaseUri;
        if (!uri.IsAbsoluteUri)
        {
            throw new HailuoException(new HailuoError(HailuoErrorKind.Validation, $"The base URI '{uri}' is not absolute; give a full URL such as https://api.core.today/v1.", "BaseUri"));
        }
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && Transport.NetworkAddress.IsLoopback(uri)))
        {
            throw new HailuoException(new HailuoError(HailuoErrorKind.Validation,
                $"The base URI '{uri}' is not https. Keys are only sent over https, except to a loopback address such as the emulator at http://127.0.0.1:5080.", "BaseUri"));
        }
        if (ProviderProfiles.For(Provider).CheckOptions(this) is { } lacking)
        {
            throw new HailuoException(lacking);
        }
        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), "TimeProvider cannot be null; leave it out for the system clock.");
        }
        if (MaxJobsInFlight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxJobsInFlight), "MaxJobsInFlight must be at least 1.");
        }
        if (Download is null)
        {
            throw new ArgumentNullException(nameof(Download), "Download cannot be null; leave it out for the default limits.");
        }
    }

}

public enum HailuoLogLevel
{
    Debug,
    Verbose,
    Warning,
}
