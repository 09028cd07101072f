using System;
using System.Management.Automation;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Common;

/// <summary>The job-taking cmdlets whose first position is the jobs or their ids: Wait-HailuoJob and Stop-HailuoJob.</summary>
public abstract class PositionalJobInputCmdlet : JobInputCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = JobSet)]
    public HailuoJobInfo[] Job { get; set; } = Array.Empty<HailuoJobInfo>();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Alias("JobId", "job_id", "task_id")]
    [JobIdTransformation]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    private protected override HailuoJobInfo[] JobInput => Job;

    private protected override string[] IdInput => Id;
}
