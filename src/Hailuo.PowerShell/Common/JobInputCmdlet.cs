using System;
using System.Management.Automation;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// The cmdlets that take jobs: as objects from the pipeline, or as ids (typed, piped as strings, or the Id column of
/// a re-imported CSV, with its Provider and Index columns). -Provider is declared here; -Job and -Id where their
/// positions are: <see cref="PositionalJobInputCmdlet"/> for Wait-HailuoJob and Stop-HailuoJob, Save-HailuoVideo
/// itself (its first position is its folder).
/// </summary>
/// <remarks>
/// PowerShell lists a derived class's parameters before its base's, so -Provider comes after the cmdlet's own
/// named parameters in the syntax.
/// </remarks>
public abstract class JobInputCmdlet : HailuoCmdlet
{
    protected const string JobSet = "Job";
    protected const string IdSet = "Id";

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [EmptyToNullTransformation]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string? Provider { get; set; }

    private protected abstract HailuoJobInfo[] JobInput { get; }

    private protected abstract string[] IdInput { get; }

    /// <summary>With -Id, the row number given for the job (an exported job's Index column); 0 when none is.</summary>
    private protected virtual long IndexInput => 0;

    protected override void BeginProcessing() => RunConfiguration(EnsureConnected);

    /// <summary>Calls <paramref name="each"/> with every job this record brought, and its row index.</summary>
    private protected void ForEachJob(Action<HailuoJob, long> each)
    {
        if (ParameterSetName == JobSet)
        {
            foreach (var info in JobInput)
            {
                if (JobInfoConverter.ToEngine(info) is { } job)
                {
                    each(job, info.Index);
                }
                else
                {
                    WriteError(CmdletOutput.ToErrorRecord(new CommandError(NoJob(info), info)));
                }
            }
            return;
        }
        using var lookup = new JobActions(Output(), RunspaceConnection.Current, StopToken);
        foreach (var id in IdInput)
        {
            var (job, row) = lookup.Resolve(id, Provider);
            // An exported row's Index column wins; else the row the ledger remembers.
            each(job, IndexInput > 0 ? IndexInput : row);
        }
    }

    /// <summary>Why a job object names no job this cmdlet can act on: a create with no known outcome, or no id or provider.</summary>
    private static HailuoError NoJob(HailuoJobInfo info)
    {
        var row = info.Index > 0 ? $"Row {info.Index}: " : "";
        return string.Equals(info.Status, JobInfoConverter.UnknownStatus, StringComparison.OrdinalIgnoreCase)
            ? new HailuoError(HailuoErrorKind.OutcomeUnknown,
                $"{row}this create's outcome is unknown, so there is no job id to act on: it may or may not have made (and charged for) a job.")
            : new HailuoError(HailuoErrorKind.Validation,
                $"{row}this object names no job: its Id is '{info.Id}' and its Provider '{info.Provider}'; both are needed.", "Id");
    }
}
