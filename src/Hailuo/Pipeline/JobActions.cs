using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Hailuo.Connection;
using Hailuo.Ledger;
using Hailuo.Models;

namespace Hailuo.Pipeline;

/// <summary>
/// Get-HailuoJob's and Stop-HailuoJob's logic: short calls, made one at a time on the pipeline thread. What the
/// engine logs meanwhile (retries) is written once each call returns.
/// </summary>
public sealed class JobActions : IDisposable
{
    private readonly ICommandOutput _output;
    private readonly HailuoConnection _connection;
    private readonly CancellationToken _cancellationToken;
    private readonly PipelinePump _pump = new();

    public JobActions(ICommandOutput output, HailuoConnection connection, CancellationToken cancellationToken)
    {
        _output = output;
        _connection = connection;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Refreshes a job from its provider (a fresh download link included).</summary>
    public void Get(string id, string? provider)
    {
        Run(id, provider, (client, job, row) =>
        {
            var fresh = client.RefreshAsync(job, _cancellationToken).GetAwaiter().GetResult().With(reused: false);
            _output.WriteVerbose($"Read job {fresh.Id} from {HailuoConnection.NameOf(fresh.Provider)}: {fresh.Status}{(fresh.Error is { } error ? ", " + error.Message.TrimEnd('.') : "")}.");
            _output.WriteObject(new JobResult(fresh, row));
        });
    }

    /// <summary>
    /// Lists the ledger, newest first: each job with the row it was submitted for, and each create whose outcome is
    /// unknown, so that it can be seen and settled.
    /// </summary>
    public void List(LedgerQuery query)
    {
        var ledger = _connection.Ledger;
        if (ledger is null)
        {
            _output.WriteVerbose("There is no job ledger yet: no job has been submitted from this account on this computer.");
            return;
        }
        var entries = ledger.List(query);
        _output.WriteVerbose($"{entries.Count} ledger entr{(entries.Count == 1 ? "y" : "ies")} match in {ledger.Path}, {entries.Count(e => e.IsUnsettled)} of them creates with an unknown outcome.");
        foreach (var entry in entries)
        {
            if (entry.JobId is not null)
            {
                // A listing pays for nothing, so its jobs are not "reused" in the sense a submission's are.
                _output.WriteObject(new JobResult(entry.ToJob().With(reused: false), entry.Row ?? 0));
            }
            else if (entry.IsUnsettled)
            {
                _output.WriteObject(new UnsettledCreate(entry));
            }
        }
    }

    /// <summary>Cancels a job after ShouldProcess; with <paramref name="passThru"/>, writes the cancelled job with its row.</summary>
    public void Stop(HailuoJob job, long index, bool passThru)
    {
        if (!_output.ShouldProcess($"{HailuoConnection.NameOf(job.Provider)} job {job.Id}", "Cancel"))
        {
            return;
        }
        Run(job.Id, job.Provider.ToString(), (client, _, _) =>
        {
            var stopped = client.CancelAsync(job, _cancellationToken).GetAwaiter().GetResult();
            if (stopped.Status != JobStatus.Canceled)
            {
                _output.WriteWarning($"Job {job.Id} was already {stopped.Status}; nothing to cancel.");
            }
            if (passThru)
            {
                _output.WriteObject(new JobResult(stopped, index));
            }
        });
    }

    /// <summary>
    /// The job as the ledger knows it (request, tag) with the row it was submitted for, or a bare one (row 0) for an
    /// id the ledger has not seen.
    /// </summary>
    public (HailuoJob Job, long Row) Resolve(string id, string? provider)
    {
        var client = _connection.GetClient(provider is { Length: > 0 } p ? HailuoConnection.ParseProvider(p) : null);
        return client.KnownOrBareJob(id.Trim());
    }

    private void Run(string id, string? provider, Action<HailuoClient, HailuoJob, long> action)
    {
        try
        {
            using (EngineLog.Enter(_pump))
            {
                var (job, row) = Resolve(id, provider);
                action(_connection.GetClient(job.Provider), job, row);
            }
        }
        catch (HailuoException e)
        {
            _output.WriteError(new CommandError(e.Error, id));
        }
        finally
        {
            _pump.Drain(_output);
        }
    }

    public void Dispose() => _pump.Dispose();
}
