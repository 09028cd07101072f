using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Connection;
using Hailuo.Downloads;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Validation;

namespace Hailuo.Pipeline;

public sealed class VideoSubmissionOptions
{
    public bool Force { get; set; }

    /// <summary>Stop submitting before core.today credits committed by this call would pass this.</summary>
    public int? MaxCredits { get; set; }

    /// <summary>Submit, wait and download in one call (-Wait).</summary>
    public bool Wait { get; set; }

    public string? Path { get; set; }

    public string? FileNameTemplate { get; set; }

    /// <summary>Creates in flight at once; more rows wait (pumping output) until one answers.</summary>
    public int MaxPendingSubmits { get; set; } = 16;

    /// <summary>
    /// Jobs in flight at once for the account (-ThrottleLimit): each submit waits while it has this many. Null: the
    /// connection's setting, else the provider's default (<see cref="ProviderProfile.DefaultMaxJobsInFlight"/>).
    /// </summary>
    public int? ThrottleLimit { get; set; }
}

/// <summary>
/// New-HailuoVideo's logic. Rows are checked and confirmed on the pipeline thread; creates run in
/// the background, as fast as the provider's limits allow; each job is written as soon as its
/// create answers. A bad row is an error about that row, and the rest go on. An input the ledger
/// already holds is reused, so it is neither confirmed nor counted as a cost.
/// </summary>
public sealed class VideoSubmission : CommandBatch<VideoSubmissionOptions>
{
    private readonly string _folder;
    private readonly string _template;
    private readonly HashSet<string> _whatIfInputs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CommandError> _failedJobs = new();
    private TimeSpan _stopGrace;
    private HailuoClient? _lastClient;
    private int _pending;
    private int _reservedCredits;
    private int _whatIfRows;
    private int _whatIfReused;
    private int _whatIfCredits;
    private int _overBudgetRows;

    public VideoSubmission(ICommandOutput output, HailuoConnection connection, VideoSubmissionOptions options, CancellationToken cancellationToken)
        : base(output, connection, options, cancellationToken)
    {
        // With -Wait, where each row's video goes: resolved once, not for every row and again for every job.
        _folder = System.IO.Path.GetFullPath(options.Path ?? ".");
        _template = options.FileNameTemplate ?? FileNameTemplate.Default;
    }

    public void Process(RowInput row)
    {
        using var route = EngineLog.Enter(Pump);
        Pump.Drain(Output);
        HailuoClient client;
        HailuoJob? reusable;
        string inputHash;
        try
        {
            var provider = row.Provider is { Length: > 0 } named ? HailuoConnection.ParseProvider(named) : (HailuoProvider?)null;
            client = Connection.GetClient(provider);
            var problems = client.Validate(row.Request);
            if (problems.Count > 0)
            {
                var message = string.Join(" ", problems.Select(p => p.Message)) + " Nothing was sent for this row.";
                throw new HailuoException(new HailuoError(HailuoErrorKind.Validation, message, problems[0].Code, problems[0].Remedy));
            }
            if (Options.Wait)
            {
                CheckFileName(client, row);
            }
            (reusable, inputHash) = Options.Force ? (null, "") : client.FindReusableAsync(row.Request, CancellationToken).GetAwaiter().GetResult();
        }
        catch (HailuoException e)
        {
            Output.WriteError(new CommandError(RowError(e.Error, row), row.Target));
            return;
        }

        var profile = ProviderProfiles.For(client.Provider);
        var credits = profile.CreditsPerVideo;
        var target = $"row {row.Index}: {row.Request}";
        // An input the ledger holds is used again, not paid again: there is nothing to confirm or to count.
        if (reusable is null)
        {
            if (!Output.ShouldProcess(target, $"Submit to {profile.DisplayName} ({profile.PriceWords})"))
            {
                // Rows with the same input pay once, in a real run as in this estimate.
                if (_whatIfInputs.Add(inputHash.Length > 0 ? inputHash : row.Index.ToString(CultureInfo.InvariantCulture)))
                {
                    _whatIfRows++;
                    _whatIfCredits += credits ?? 0;
                }
                return;
            }
            if (!ReserveBudget(credits, row))
            {
                return;
            }
        }
        else if (!Output.ShouldProcess(target, reusable.Status is JobStatus.Failed or JobStatus.Canceled
            ? $"Use job {reusable.Id} from the ledger, which ended {reusable.Status} (not paid again; -Force submits the row anew)"
            : $"Use job {reusable.Id} from the ledger ({reusable.Status}; not paid again)"))
        {
            _whatIfReused++;
            return;
        }

        WaitForRoom(client);
        Interlocked.Increment(ref _pending);
        _lastClient = client;
        _stopGrace = client.Options.CreateStopGrace > _stopGrace ? client.Options.CreateStopGrace : _stopGrace;
        _ = SubmitAsync(client, row, reusable is null ? credits : null, inputHash);
    }

    /// <summary>A row that cannot be sent as it is (a value its binding could not read): its error, and nothing sent.</summary>
    public void Refuse(RowInput row, HailuoError error)
    {
        Pump.Drain(Output);
        Output.WriteError(new CommandError(RowError(error, row), row.Target));
    }

    /// <summary>
    /// With -Wait, renders the file name for a stand-in of the job, so that a template this row cannot fill (a column
    /// it lacks) is an error before the video is paid for, not after it is made.
    /// </summary>
    private void CheckFileName(HailuoClient client, RowInput row)
    {
        var standIn = new HailuoJob("id", client.Provider, row.Request.EffectiveModel ?? HailuoModels.Standard, JobStatus.Succeeded)
            .With(request: row.Request, tag: row.Tag, createdAt: client.Options.TimeProvider.GetUtcNow());
        try
        {
            FileNameTemplate.Render(_template, standIn, row.Index, _folder);
        }
        catch (HailuoException e)
        {
            throw new HailuoException(e.Error.WithMessage($"{e.Error.Message} Nothing was sent for this row."));
        }
    }

    /// <summary>Writes what is left once every create has answered (EndProcessing); with -Wait, the rows whose job failed last.</summary>
    public void Complete()
    {
        using var route = EngineLog.Enter(Pump);
        Pump.WaitUntil(Output, () => Volatile.Read(ref _pending) == 0, TimeSpan.FromMilliseconds(250), null, CancellationToken);
        if (_whatIfRows > 0 || _whatIfReused > 0)
        {
            var total = _whatIfRows > 0 && _whatIfCredits > 0 ? $", an estimated {_whatIfCredits:N0} credits on core.today" : ", at no cost in credits";
            var reused = _whatIfReused > 0 ? $"; {_whatIfReused} row(s) would use jobs already in the ledger, not paid again" : "";
            Output.WriteWarning($"What if: {_whatIfRows} video(s) would be submitted{total}{reused}. Nothing was sent.");
        }
        if (_overBudgetRows > 1)
        {
            Output.WriteWarning($"{_overBudgetRows} row(s) were not submitted because the credit limit of {Options.MaxCredits:N0} was reached.", HailuoRemedy.RaiseCreditBudget);
        }
        // Last, so that with ErrorAction Stop a failed row cannot keep the other rows' videos from being saved.
        while (_failedJobs.TryDequeue(out var error))
        {
            Output.WriteError(error);
        }
    }

    /// <summary>Holds the pipeline while too many creates are in flight, still writing results meanwhile.</summary>
    private void WaitForRoom(HailuoClient client)
    {
        // Where a create holds until its video is ready (Cloudflare's run), every job in flight is a create under way.
        var limit = Options.MaxPendingSubmits + (client.CreateWaitsForVideo ? JobsInFlightLimit(client) : 0);
        if (Volatile.Read(ref _pending) < limit)
        {
            return;
        }
        Pump.WaitUntil(Output, () => Volatile.Read(ref _pending) < limit, TimeSpan.FromMilliseconds(250),
            output => output.WriteProgress(new CommandProgress(1, "Submitting Hailuo videos", SubmitStatus(client))),
            CancellationToken);
        Output.WriteProgress(new CommandProgress(1, "Submitting Hailuo videos", "Submitting") { Completed = true });
    }

    /// <summary>What the held submissions wait for, as it is: room under the jobs-in-flight cap, or the provider's answers (and rate limit).</summary>
    private string SubmitStatus(HailuoClient client)
    {
        var pending = Volatile.Read(ref _pending);
        var waiting = client.SubmitsWaitingForRoom;
        return waiting > 0
            ? string.Format(CultureInfo.InvariantCulture, "{0} submissions under way; {1} wait until fewer than {2} jobs are running at {3}",
                pending, waiting, JobsInFlightLimit(client), HailuoConnection.NameOf(client.Provider))
            : string.Format(CultureInfo.InvariantCulture, "{0} submissions under way, waiting for {1} to accept them", pending, HailuoConnection.NameOf(client.Provider));
    }

    /// <summary>The cap this command's submits wait under: -ThrottleLimit, else the client's (the connection's or the provider's default).</summary>
    private int JobsInFlightLimit(HailuoClient client) => Options.ThrottleLimit ?? client.JobsInFlightLimit;

    private bool ReserveBudget(int? credits, RowInput row)
    {
        if (Options.MaxCredits is not { } budget || credits is not { } price)
        {
            return true;
        }
        if (Interlocked.Add(ref _reservedCredits, price) <= budget)
        {
            return true;
        }
        Interlocked.Add(ref _reservedCredits, -price);
        if (++_overBudgetRows == 1)
        {
            Output.WriteError(new CommandError(new HailuoError(HailuoErrorKind.Validation,
                $"Row {row.Index} was not submitted: it would take this batch past its credit limit of {budget:N0} ({price} credits a video). Later rows are not submitted either.",
                "MaxCredits", HailuoRemedy.RaiseCreditBudget), row.Target, "Hailuo.MaxCreditsReached"));
        }
        return false;
    }

    private async Task SubmitAsync(HailuoClient client, RowInput row, int? credits, string inputHash)
    {
        try
        {
            var submit = new SubmitOptions
            {
                Force = Options.Force,
                Tag = row.Tag,
                Row = row.Index,
                Validated = true,
                InputHash = inputHash.Length > 0 ? inputHash : null,
                MaxJobsInFlight = Options.ThrottleLimit,
            };
            var job = await client.SubmitAsync(row.Request, submit, CancellationToken).ConfigureAwait(false);
            if (job.Reused && credits is { } price)
            {
                Interlocked.Add(ref _reservedCredits, -price);
            }
            if (job.Reused)
            {
                SayReused(job, row);
            }
            if (Options.Wait)
            {
                await WaitAndSaveAsync(client, job, row).ConfigureAwait(false);
                return;
            }
            Pump.Post(output => output.WriteObject(new JobResult(job, row.Index)));
        }
        catch (HailuoException e)
        {
            if (credits is { } price && e.Error.Kind != HailuoErrorKind.OutcomeUnknown)
            {
                Interlocked.Add(ref _reservedCredits, -price);
            }
            Pump.Post(output => output.WriteError(new CommandError(RowError(e.Error, row), row.Target)));
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            // Stopped: the ledger already says what happened to this create.
        }
        catch (Exception e)
        {
            // Every row ends as an object or an error: a failure nothing above foresaw is still this row's to report.
            var what = Options.Wait ? "Waiting for or saving this row's video" : "Submitting this row";
            Pump.Post(output => output.WriteError(new CommandError(
                RowError(new HailuoError(HailuoErrorKind.Transient, $"{what} failed: {e.GetType().Name}: {e.Message}"), row), row.Target)));
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            // Wakes the pipeline thread, which would otherwise notice only at its next 250 ms look.
            Pump.Wake();
        }
    }

    /// <summary>A reused job is said in the verbose stream; one that failed or was canceled is worth a warning, since it brings no video.</summary>
    private void SayReused(HailuoJob job, RowInput row)
    {
        var said = $"Row {row.Index}: this input was submitted before as job {job.Id} ({job.Status}); it is used again, not paid again.";
        if (job.Status is JobStatus.Failed or JobStatus.Canceled)
        {
            var why = job.Error is { } error ? $" It ended {job.Status}: {error.Message}" : $" It ended {job.Status}.";
            Pump.Post(output => output.WriteWarning(said + why, HailuoRemedy.ForceResubmit));
        }
        else
        {
            Pump.Post(output => output.WriteVerbose(said));
        }
    }

    private async Task WaitAndSaveAsync(HailuoClient client, HailuoJob job, RowInput row)
    {
        // Rows with the same input share a job; each keeps its own columns, and so its own file name.
        var done = (await client.WaitAsync(job, null, CancellationToken).ConfigureAwait(false)).With(tag: job.Tag);
        if (done.Error is { } refused && CommandError.IsConnectionProblem(refused))
        {
            Pump.Post(output => output.WriteError(new CommandError(refused, row.Target)));
            return;
        }
        if (done.Status != JobStatus.Succeeded)
        {
            var error = done.Error ?? new HailuoError(HailuoErrorKind.JobFailed, $"Job {done.Id} ended {done.Status}.");
            Pump.Post(output => output.WriteVerbose($"Row {row.Index}: job {done.Id} ended {done.Status}; no video to save."));
            _failedJobs.Enqueue(new CommandError(RowError(error.WithMessage($"job {done.Id} ended {done.Status}: {error.Message}"), row), new JobResult(done, row.Index), "Hailuo.JobFailed"));
            return;
        }
        Directory.CreateDirectory(_folder);
        var destination = FileNameTemplate.Render(_template, done, row.Index, _folder);
        var saved = await client.DownloadAsync(done, destination, overwrite: Options.Force, cancellationToken: CancellationToken).ConfigureAwait(false);
        Pump.Post(output => output.WriteObject(new SavedVideo(saved.Path, saved.Length, saved.Skipped, done, row.Index)));
    }

    /// <summary>The error as this row's; one about the connection concerns every row, so it names none.</summary>
    private static HailuoError RowError(HailuoError error, RowInput row) =>
        CommandError.IsConnectionProblem(error) ? error : error.WithMessage($"Row {row.Index}: {error.Message}");

    /// <summary>
    /// Runs when the command ends, stopped or not: a create whose request has left is given its short grace to be
    /// answered (HailuoClientOptions.CreateStopGrace), so that the job it paid for is in the ledger before this returns.
    /// </summary>
    public override void Dispose()
    {
        if (_lastClient is not null)
        {
            SpinWait.SpinUntil(() => Volatile.Read(ref _pending) == 0, _stopGrace + TimeSpan.FromSeconds(1));
        }
        base.Dispose();
    }
}
