using System.Management.Automation;
using Hailuo.Pipeline;
using Hailuo.PowerShell.Common;

namespace Hailuo.PowerShell.Commands;

/// <summary>Cancels jobs that have not finished (core.today and Replicate; MiniMax and Cloudflare have no cancel call).</summary>
[Cmdlet(VerbsLifecycle.Stop, "HailuoJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = JobSet, HelpUri = HelpLinks.Base + "Stop-HailuoJob.md")]
[OutputType(typeof(HailuoJobInfo))]
public sealed class StopHailuoJobCommand : PositionalJobInputCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => Run(() =>
    {
        using var commands = new JobActions(Output(), RunspaceConnection.Current, StopToken);
        ForEachJob((job, index) => commands.Stop(job, index, PassThru));
    });
}
