using System;
using System.Management.Automation;
using Hailuo.Commands;
using Hailuo.Models;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// The cmdlets that take jobs: as objects from the pipeline, or as ids (typed, piped as strings, or the Id column of
/// a re-imported CSV, with its Provider and Index columns). Each cmdlet declares the parameters itself, because their
/// positions differ: Save-HailuoVideo's first position is its folder.
/// </summary>
public abstract class JobInputCmdlet : HailuoCmdlet
{
    protected const string JobSet = "Job";
    protected const string IdSet = "Id";

    private protected abstract HailuoJobInfo[] JobInput { get; }

    private protected abstract string[] IdInput { get; }

    private protected abstract string? ProviderInput { get; }

    private protected abstract long IndexInput { get; }

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
            }
            return;
        }
        using var lookup = new JobCommands(Output(), RunspaceSession.Current, StopToken);
        foreach (var id in IdInput)
        {
            each(lookup.Resolve(id, ProviderInput), IndexInput);
        }
    }
}
