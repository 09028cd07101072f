using System;
using System.Management.Automation;
using Hailuo.Pipeline;
using Hailuo.PowerShell.Common;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Commands;

/// <summary>Cancels jobs that have not finished (core.today and Replicate; MiniMax and Cloudflare have no cancel call).</summary>
[Cmdlet(VerbsLifecycle.Stop, "HailuoJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = JobSet, HelpUri = HelpLinks.Base + "Stop-HailuoJob.md")]
[OutputType(typeof(HailuoJobInfo))]
public sealed class StopHailuoJobCommand : JobInputCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = JobSet)]
    public HailuoJobInfo[] Job { get; set; } = Array.Empty<HailuoJobInfo>();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Alias("JobId", "job_id", "task_id")]
    [JobIdTransformation]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [EmptyToNullTransformation]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string? Provider { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override HailuoJobInfo[] JobInput => Job;

    private protected override string[] IdInput => Id;

    private protected override string? ProviderInput => Provider;

    private protected override long IndexInput => 0;

    protected override void ProcessRecord() => Run(() =>
    {
        using var commands = new JobActions(Output(), RunspaceConnection.Current, StopToken);
        ForEachJob((job, index) => commands.Stop(job, index, PassThru));
    });
}
