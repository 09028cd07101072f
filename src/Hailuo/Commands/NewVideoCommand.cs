using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Downloads;
using Hailuo.Models;
using Hailuo.Validation;

namespace Hailuo.Commands;

/// <summary>One row of New-HailuoVideo: the request, the provider it names, and the columns that ride along.</summary>
public sealed class RowInput
{
    public RowInput(VideoRequest request, long index)
    {
        Request = request;
        Index = index;
    }

    public VideoRequest Request { get; }

    /// <summary>1-based position in the pipeline, for messages ("row 7") and {index} in file names.</summary>
    public long Index { get; }

    /// <summary>A provider named by the row; null uses the connected one.</summary>
    public string? Provider { get; set; }

    public IReadOnlyDictionary<string, string?> Tag { get; set; } = new Dictionary<string, string?>();

    /// <summary>What an error about this row points at (the CSV row itself).</summary>
    public object? Target { get; set; }
}

public sealed class NewVideoOptions
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
}

/// <summary>
/// New-HailuoVideo's logic. Rows are checked and confirmed on the pipeline thread; creates run in
/// the background, as fast as the provider's limits allow; each job is written as soon as its
/// create answers. A bad row is an error about that row, and the rest go on.
/// </summary>
public sealed class NewVideoCommand : IDisposable
{
    private readonly ICommandOutput _output;
    private readonly HailuoSession _session;
    private readonly NewVideoOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly PipelinePump _pump = new();
    private readonly string _folder;
    private readonly string _template;
    private int _pending;
    private int _reservedCredits;
    private int _whatIfRows;
    private int _whatIfCredits;
    private int _overBudgetRows;

    public NewVideoCommand(ICommandOutput output, HailuoSession session, NewVideoOptions options, CancellationToken cancellationToken)
    {
        _output = output;
        _session = session;
        _options = options;
        _cancellationToken = cancellationToken;
        // With -Wait, where each row's video goes: resolved once, not for every row and again for every job.
        _folder = System.IO.Path.GetFullPath(options.Path ?? ".");
        _template = options.FileNameTemplate ?? FileNameTemplate.Default;
    }

    public void Process(RowInput row)
    {
        using var route = EngineLog.Enter(_pump);
        _pump.Drain(_output);
        HailuoClient client;
        try
        {
            var provider = row.Provider is { Length: > 0 } named ? HailuoSession.ParseProvider(named) : (HailuoProvider?)null;
            client = _session.GetClient(provider);
            var problems = RequestValidator.Validate(row.Request, client.Provider);
            if (problems.Count > 0)
            {
                var message = string.Join(" ", problems.Select(p => p.Message)) + " Nothing was sent for this row.";
                throw new HailuoException(new HailuoError(HailuoErrorKind.Validation, message, problems[0].Code, problems[0].RecommendedAction));
            }
            if (_options.Wait)
            {
                CheckFileName(client, row);
            }
        }
        catch (HailuoException e)
        {
            _output.WriteError(new CommandError(RowError(e.Error, row), row.Target));
            return;
        }

        var (credits, priceWords) = HailuoSession.Price(client.Provider);
        var target = $"row {row.Index}: {row.Request}";
        if (!_output.ShouldProcess(target, $"Submit to {HailuoSession.NameOf(client.Provider)} ({priceWords})"))
        {
            _whatIfRows++;
            _whatIfCredits += credits ?? 0;
            return;
        }
        if (!ReserveBudget(credits, row))
        {
            return;
        }

        WaitForRoom();
        Interlocked.Increment(ref _pending);
        _ = SubmitAsync(client, row, credits);
    }

    /// <summary>
    /// With -Wait, renders the file name for a stand-in of the job, so that a template this row cannot fill (a column
    /// it lacks) is an error before the video is paid for, not after it is made.
    /// </summary>
    private void CheckFileName(HailuoClient client, RowInput row)
    {
        var standIn = new HailuoJob("id", client.Provider, row.Request.EffectiveModel ?? HailuoModels.Standard, JobStatus.Succeeded)
            .With(request: row.Request, tag: row.Tag, createdAt: DateTimeOffset.UtcNow);
        try
        {
            FileNameTemplate.Render(_template, standIn, row.Index, _folder);
        }
        catch (HailuoException e)
        {
            throw new HailuoException(new HailuoError(e.Error.Kind, $"{e.Error.Message} Nothing was sent for this row.", e.Error.Code, e.Error.RecommendedAction));
        }
    }

    /// <summary>Writes what is left once every create has answered (EndProcessing).</summary>
    public void Complete()
    {
        using var route = EngineLog.Enter(_pump);
        _pump.WaitUntil(_output, () => Volatile.Read(ref _pending) == 0, TimeSpan.FromMilliseconds(250), null, _cancellationToken);
        if (_whatIfRows > 0)
        {
            var total = _whatIfCredits > 0 ? $", an estimated {_whatIfCredits:N0} credits on core.today" : "";
            _output.WriteWarning($"What if: {_whatIfRows} video(s) would be submitted{total}. Nothing was sent.");
        }
        if (_overBudgetRows > 1)
        {
            _output.WriteWarning($"{_overBudgetRows} row(s) were not submitted because -MaxCredits {_options.MaxCredits:N0} was reached.");
        }
    }

    /// <summary>Holds the pipeline while too many creates are in flight, still writing results meanwhile.</summary>
    private void WaitForRoom()
    {
        if (Volatile.Read(ref _pending) < _options.MaxPendingSubmits)
        {
            return;
        }
        _pump.WaitUntil(_output, () => Volatile.Read(ref _pending) < _options.MaxPendingSubmits, TimeSpan.FromMilliseconds(250),
            output => output.WriteProgress(new CommandProgress(1, "New-HailuoVideo", $"Waiting for the provider's rate limit: {Volatile.Read(ref _pending)} submissions in flight")),
            _cancellationToken);
        _output.WriteProgress(new CommandProgress(1, "New-HailuoVideo", "Submitting") { Completed = true });
    }

    private bool ReserveBudget(int? credits, RowInput row)
    {
        if (_options.MaxCredits is not { } budget || credits is not { } price)
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
            _output.WriteError(new CommandError(new HailuoError(HailuoErrorKind.Validation,
                $"Row {row.Index} was not submitted: it would take this batch past -MaxCredits {budget:N0} ({price} credits a video). Later rows are not submitted either.",
                "MaxCredits", "Raise -MaxCredits, or run the remaining rows later; rows already submitted are reused, not paid again."), row.Target, "Hailuo.MaxCreditsReached"));
        }
        return false;
    }

    private async Task SubmitAsync(HailuoClient client, RowInput row, int? credits)
    {
        try
        {
            var job = await client.SubmitAsync(row.Request, new SubmitOptions { Force = _options.Force, Tag = row.Tag, Validated = true }, _cancellationToken).ConfigureAwait(false);
            if (job.Reused && credits is { } price)
            {
                Interlocked.Add(ref _reservedCredits, -price);
            }
            if (job.Reused)
            {
                _pump.Post(output => output.WriteVerbose($"Row {row.Index}: this input was submitted before as {job.Id} ({job.Status}); reusing it, not paying again. Use -Force to submit it anew."));
            }
            if (_options.Wait)
            {
                await WaitAndSaveAsync(client, job, row).ConfigureAwait(false);
                return;
            }
            _pump.Post(output => output.WriteObject(new JobResult(job, row.Index)));
        }
        catch (HailuoException e)
        {
            if (credits is { } price && e.Error.Kind != HailuoErrorKind.OutcomeUnknown)
            {
                Interlocked.Add(ref _reservedCredits, -price);
            }
            _pump.Post(output => output.WriteError(new CommandError(RowError(e.Error, row), row.Target)));
        }
        catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
        {
            // Stopped: the ledger already says what happened to this create.
        }
        catch (Exception e)
        {
            // Every row ends as an object or an error: a failure nothing above foresaw is still this row's to report.
            var what = _options.Wait ? "Waiting for or saving this row's video" : "Submitting this row";
            _pump.Post(output => output.WriteError(new CommandError(
                RowError(new HailuoError(HailuoErrorKind.Transient, $"{what} failed: {e.GetType().Name}: {e.Message}"), row), row.Target)));
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            // Wakes the pipeline thread, which would otherwise notice only at its next 250 ms look.
            _pump.Wake();
        }
    }

    private async Task WaitAndSaveAsync(HailuoClient client, HailuoJob job, RowInput row)
    {
        var done = await client.WaitAsync(job, null, _cancellationToken).ConfigureAwait(false);
        if (done.Status != JobStatus.Succeeded)
        {
            var error = done.Error ?? new HailuoError(HailuoErrorKind.JobFailed, $"Job {done.Id} ended {done.Status}.");
            _pump.Post(output =>
            {
                output.WriteError(new CommandError(RowError(error, row), new JobResult(done, row.Index)));
                output.WriteObject(new JobResult(done, row.Index));
            });
            return;
        }
        Directory.CreateDirectory(_folder);
        var destination = FileNameTemplate.Render(_template, done, row.Index, _folder);
        var saved = await client.DownloadAsync(done, destination, overwrite: _options.Force, cancellationToken: _cancellationToken).ConfigureAwait(false);
        _pump.Post(output => output.WriteObject(new SavedVideo(saved.Path, saved.Length, saved.Skipped, done, row.Index)));
    }

    private static HailuoError RowError(HailuoError error, RowInput row) =>
        new(error.Kind, $"Row {row.Index}: {error.Message}", error.Code, error.RecommendedAction, error.RetryAfter);

    public void Dispose() => _pump.Dispose();
}
