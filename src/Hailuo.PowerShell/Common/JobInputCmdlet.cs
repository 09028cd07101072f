using System;
using System.Management.Automation;
using Hailuo.Commands;
using Hailuo.Models;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Common;

/// <summary>The cmdlets that take jobs: as objects from the pipeline, or as ids (a re-imported CSV has Id and Provider columns).</summary>
public abstract class JobInputCmdlet : HailuoCmdlet
{
    protected const string JobSet = "Job";
    protected const string IdSet = "Id";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = JobSet)]
    public HailuoJobInfo[] Job { get; set; } = Array.Empty<HailuoJobInfo>();

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Alias("JobId", "job_id")]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [EmptyToNullTransformation]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string? Provider { get; set; }

    protected override void BeginProcessing() => Run(EnsureConnected);

    /// <summary>Calls <paramref name="each"/> with every job this record brought, and its row index.</summary>
    private protected void ForEachJob(Action<HailuoJob, long> each)
    {
        if (ParameterSetName == JobSet)
        {
            foreach (var info in Job)
            {
                if (JobInfoConverter.ToEngine(info) is { } job)
                {
                    each(job, info.Index);
                }
            }
            return;
        }
        using var lookup = new JobCommands(Output(), RunspaceSession.Current, StopToken);
        foreach (var id in Id)
        {
            each(lookup.Resolve(id, Provider), 0);
        }
    }
}
