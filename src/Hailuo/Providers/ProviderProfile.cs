using System;
using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Providers;

/// <summary>
/// One provider's facts, in one place beside its adapter: its names, where its API lives (and where the emulator
/// serves it), what a video costs, its documented rate limits, which calls it has, the environment variable of its
/// key, what it accepts, and how its adapter is made. <see cref="ProviderProfiles"/> holds one per provider.
/// </summary>
/// <remarks>
/// An abstract class with one sealed subclass per provider, rather than a record filled in by initializers: every fact
/// is an abstract member, so a provider that leaves one out does not compile, and the facts that depend on the
/// client's options (<see cref="CreateWaitsForVideo"/>, <see cref="CheckOptions"/>) are methods like the rest. Only the
/// engine makes profiles. Durations, resolutions and the first frame's limits are Hailuo 2.3's own, the same on every
/// provider, and stay in <see cref="Validation.RequestValidator"/>; a provider that narrowed them would add a fact here.
/// </remarks>
public abstract class ProviderProfile
{
    private protected ProviderProfile()
    {
    }

    public abstract HailuoProvider Provider { get; }

    /// <summary>The name users type (-Provider CoreToday), and the one completion offers.</summary>
    public string Name => Provider.ToString();

    /// <summary>How messages name the provider: core.today, Cloudflare Workers AI, Replicate, MiniMax.</summary>
    public abstract string DisplayName { get; }

    /// <summary>Other names users write for it, beside <see cref="Name"/> and <see cref="DisplayName"/>; spaces and dots are ignored.</summary>
    public virtual IReadOnlyList<string> OtherNames => Array.Empty<string>();

    /// <summary>The public API root.</summary>
    public abstract Uri DefaultBaseUri { get; }

    /// <summary>The API root in mainland China, where it has one of its own (<see cref="HailuoClientOptions.MiniMaxMainland"/>).</summary>
    public virtual Uri? MainlandBaseUri => null;

    /// <summary>Where the emulator serves this provider's API, under its root: /coretoday/v1. Its first segment is the emulator's name for it.</summary>
    public abstract string EmulatorPath { get; }

    /// <summary>What one video costs in credits, where the provider prices that way (core.today); null elsewhere.</summary>
    public abstract int? CreditsPerVideo { get; }

    /// <summary>What one video costs, in words for -WhatIf: "420 credits", "priced per video by Replicate".</summary>
    public abstract string PriceWords { get; }

    /// <summary>The documented limit on creates per account; null where creates count against <see cref="ReadRateLimit"/>.</summary>
    public abstract RateLimit? CreateRateLimit { get; }

    /// <summary>The documented limit on status reads, cancels and retrieves per account.</summary>
    public abstract RateLimit ReadRateLimit { get; }

    /// <summary>
    /// The jobs the documented limit on starting them (creates a minute; Cloudflare's one limit on every request) lets
    /// run at once when each takes as long as the published range allows at its slowest (90 s, see
    /// <see cref="Tracking.DurationModel.PublishedRange"/>): core.today 90, MiniMax 8, Replicate 900, Cloudflare 450. A cap
    /// there never slows a batch on a provider that keeps its published times, and stops paying for jobs that pile up
    /// in its queue when it does not.
    /// </summary>
    public int DefaultMaxJobsInFlight
    {
        get
        {
            var starts = CreateRateLimit ?? ReadRateLimit;
            var slowest = Tracking.DurationModel.PublishedRange(HailuoModels.Standard).High;
            return (int)Math.Ceiling(starts.Permits * slowest.TotalSeconds / starts.Window.TotalSeconds);
        }
    }

    /// <summary>Whether it has a call that cancels a job that has not finished.</summary>
    public abstract bool CanCancel { get; }

    /// <summary>Whether it has a call that lists the account's recent jobs: how a create whose answer was lost is found again.</summary>
    public abstract bool ListsCreatedJobs { get; }

    /// <summary>Whether status reads say when a job started (started_at): a queued job is then timed from its own start.</summary>
    public abstract bool ReportsStartTime { get; }

    /// <summary>
    /// Whether creates go one at a time: where a create answers at once and a lost one cannot be looked up in a list,
    /// so that a kill leaves at most one create whose outcome is unknown. Not where the provider lists its jobs (a
    /// re-run finds a lost create there), nor where a create holds until its video is ready: one at a time would then
    /// make a batch one video at a time, and each create under way is a job already being generated.
    /// </summary>
    public bool SendsCreatesOneAtATime(HailuoClientOptions options) => !ListsCreatedJobs && !CreateWaitsForVideo(options);

    /// <summary>
    /// Whether a create sent with these options holds until the video is ready and answers with the finished job
    /// (Cloudflare's documented run): each create under way is then a job in flight, and there is no status to read.
    /// </summary>
    public abstract bool CreateWaitsForVideo(HailuoClientOptions options);

    /// <summary>
    /// Whether a video's link comes only in the create's answer, no later call giving it again (Cloudflare's run):
    /// the ledger then keeps that link, so that a video saved later, or in another session, can still be fetched.
    /// Elsewhere links expire and a fresh one is always asked for, so none is kept.
    /// </summary>
    public bool GivesVideoLinkOnce(HailuoClientOptions options) => CreateWaitsForVideo(options);

    /// <summary>The environment variable that holds its key (HAILUO_API_KEY serves any provider as well).</summary>
    public abstract string CredentialVariable { get; }

    /// <summary>The Hailuo 2.3 models it serves (<see cref="HailuoModels"/>).</summary>
    public abstract IReadOnlyList<string> Models { get; }

    /// <summary>Whether it takes the FastPretreatment flag.</summary>
    public abstract bool AcceptsFastPretreatment { get; }

    /// <summary>What the options lack for this provider (Cloudflare's account id), checked before any call; null when nothing.</summary>
    public virtual HailuoError? CheckOptions(HailuoClientOptions options) => null;

    /// <summary>The API root with the options a connection gives: the mainland host where asked for and there is one.</summary>
    public Uri BaseUriFor(bool mainland) => mainland && MainlandBaseUri is { } inChina ? inChina : DefaultBaseUri;

    internal abstract ProviderAdapter CreateAdapter(HailuoClientOptions options);

    public override string ToString() => DisplayName;
}
