using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Transport;

namespace Hailuo;

/// <summary>What looking up a create whose answer was never recorded found.</summary>
internal enum LostCreateVerdict
{
    /// <summary>The provider has the job: use it, and never pay for it again.</summary>
    Found,
    /// <summary>The provider has no such job and none can still arrive: the create never reached it.</summary>
    NeverArrived,
    /// <summary>It cannot be told: the row is the user's decision.</summary>
    Undecided,
}

internal sealed class LostCreate
{
    private LostCreate(LostCreateVerdict verdict, HailuoJob? job, string reason, bool settlesLater = false)
    {
        Verdict = verdict;
        Job = job;
        Reason = reason;
        SettlesLater = settlesLater;
    }

    /// <summary>Undecided only because a create could still arrive: looking again later decides it.</summary>
    public bool SettlesLater { get; }

    public LostCreateVerdict Verdict { get; }

    public HailuoJob? Job { get; }

    /// <summary>Why it is undecided, in words for the user.</summary>
    public string Reason { get; }

    public static LostCreate Found(HailuoJob job) => new(LostCreateVerdict.Found, job, "");

    public static readonly LostCreate NeverArrived = new(LostCreateVerdict.NeverArrived, null, "");

    public static LostCreate Undecided(string reason) => new(LostCreateVerdict.Undecided, null, reason);

    public static LostCreate UndecidedUntil(string reason) => new(LostCreateVerdict.Undecided, null, reason, settlesLater: true);
}

/// <summary>
/// Finds the job that a create made when its answer was never recorded (the process died, or the connection
/// broke after the request left): it lists the account's jobs created since the ledger's intent and looks for
/// exactly this input. Only a provider that lists jobs can be asked (Replicate); with the others such a row
/// stays the user's decision.
/// </summary>
internal sealed class CreateLookup
{
    // Clocks differ: the list starts this long before the intent was written.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    // Lookups this close together share one listing: a re-run after a crash meets its unknown rows all at once.
    private static readonly TimeSpan ShareFor = TimeSpan.FromSeconds(5);

    // Further back than this is not a lookup any more; the row is left to the user.
    private const int MaxPages = 100;

    private readonly ProviderAdapter _adapter;
    private readonly ProviderTransport _transport;
    private readonly HailuoClientOptions _options;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Listing? _last;

    public CreateLookup(ProviderAdapter adapter, ProviderTransport transport, HailuoClientOptions options, TimeProvider clock)
    {
        _adapter = adapter;
        _transport = transport;
        _options = options;
        _clock = clock;
    }

    /// <summary>
    /// Looks for the job made by the create of <paramref name="entry"/>, an intent still Submitting or OutcomeUnknown:
    /// the same <paramref name="model"/> and input, with the image as the create sent it (a URL or a data URI, read
    /// through <paramref name="imageAsSent"/> only once there is a listing to compare it with). Jobs for which
    /// <paramref name="isKnownId"/> is true belong to other ledger entries.
    /// </summary>
    /// <remarks><paramref name="senderDoneSince"/>: since when no process can send this create any more (null: not known).</remarks>
    public async Task<LostCreate> FindAsync(LedgerEntry entry, DateTimeOffset? senderDoneSince, VideoRequest request, string model,
        Func<CancellationToken, Task<string?>> imageAsSent, Func<string, bool> isKnownId, CancellationToken cancellationToken)
    {
        // Once the create can arrive no more, a job not in the list never will be: 15 minutes after the intent by default,
        // sooner once its sender is done with it, a short while after that for the provider to list what it received.
        var settled = entry.CreatedAt + _options.CreateSettleTime;
        if (senderDoneSince is { } done && done + _options.StoppedSenderSettleTime < settled)
        {
            settled = done + _options.StoppedSenderSettleTime;
        }
        while (true)
        {
            var found = await LookOnceAsync(entry, settled, request, model, imageAsSent, isKnownId, cancellationToken).ConfigureAwait(false);
            var wait = settled - _clock.GetUtcNow();
            // Close enough to the moment it settles: wait for it here, so the row is settled on this run.
            if (found.Verdict != LostCreateVerdict.Undecided || !found.SettlesLater || wait > _options.StoppedSenderSettleTime)
            {
                return found;
            }
            await _clock.Wait(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<LostCreate> LookOnceAsync(LedgerEntry entry, DateTimeOffset settled, VideoRequest request, string model,
        Func<CancellationToken, Task<string?>> imageAsSent, Func<string, bool> isKnownId, CancellationToken cancellationToken)
    {
        var name = _adapter.Provider;
        var since = entry.CreatedAt - ClockSkew;
        Listing? listing;
        try
        {
            listing = await ListAsync(since, settled, cancellationToken).ConfigureAwait(false);
        }
        catch (HailuoException e)
        {
            return LostCreate.Undecided($"{name} could not be asked for its jobs ({e.Error.Message})");
        }
        if (listing is null)
        {
            return LostCreate.Undecided($"{name} has no call that lists jobs, so the job cannot be looked up; check its dashboard");
        }

        ListedJob? match = null;
        var unreadable = false;
        var image = await imageAsSent(cancellationToken).ConfigureAwait(false);
        var sameCreate = _adapter.SameCreate(request, model, image);
        foreach (var listed in listing.Jobs)
        {
            if (listed.Job.CreatedAt is { } created && created < since)
            {
                continue;
            }
            if (listed.Input is null)
            {
                unreadable = true;
                continue;
            }
            // The cheap test first: the known-id check reads the ledger, which takes its lock and looks at the file.
            if (!sameCreate(listed) || isKnownId(listed.Job.Id))
            {
                continue;
            }
            // Of several identical jobs the ledger does not know, the earliest after the intent is the one it sent.
            if (match is null || listed.Job.CreatedAt < match.Job.CreatedAt)
            {
                match = listed;
            }
        }
        if (match is not null)
        {
            return LostCreate.Found(match.Job);
        }
        if (!listing.Complete)
        {
            return LostCreate.Undecided($"{name} lists more than {MaxPages * 100:N0} jobs since then, too many to look through");
        }
        if (unreadable)
        {
            return LostCreate.Undecided($"{name} has deleted the input of some of its jobs since then, so they cannot be compared");
        }
        if (request.HasLocalImage)
        {
            return LostCreate.Undecided("its first frame was sent inline, which the provider may not show as it was sent");
        }
        if (listing.StartedAt < settled)
        {
            return LostCreate.UndecidedUntil(string.Format(CultureInfo.InvariantCulture,
                "{0} has no job for it yet, but a create sent then could still arrive until {1:u}; run the same command again after that", name, settled));
        }
        return LostCreate.NeverArrived;
    }

    /// <summary>The account's jobs since <paramref name="since"/>, newest first; null when the provider cannot list them.</summary>
    /// <remarks>A listing shared from a moment ago serves only if it was taken after <paramref name="settled"/>, or it settles nothing.</remarks>
    private async Task<Listing?> ListAsync(DateTimeOffset since, DateTimeOffset settled, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _clock.GetUtcNow();
            var recent = _last is { } last && now - last.StartedAt < ShareFor && (last.StartedAt >= settled || now < settled) ? last : null;
            if (recent is not null && recent.Since <= since)
            {
                return recent;
            }
            var call = _adapter.BuildListCreated(since);
            if (call is null)
            {
                return null;
            }
            var jobs = new List<ListedJob>();
            for (var page = 0; call is not null && page < MaxPages; page++)
            {
                using var response = await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
                var (listed, next) = _adapter.ParseListed(response.Root);
                jobs.AddRange(listed);
                call = next;
            }
            _last = new Listing(since, now, jobs, Complete: call is null);
            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The jobs created since <paramref name="Since"/>, as asked at <paramref name="StartedAt"/>: anything created before then is in it.</summary>
    private sealed record Listing(DateTimeOffset Since, DateTimeOffset StartedAt, List<ListedJob> Jobs, bool Complete);
}
