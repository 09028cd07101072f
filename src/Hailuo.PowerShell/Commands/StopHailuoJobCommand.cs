using System.Management.Automation;
using Hailuo.Commands;
using Hailuo.PowerShell.Common;

namespace Hailuo.PowerShell.Commands;

/// <summary>Cancels jobs that have not finished (core.today and Replicate; MiniMax and Cloudflare have no cancel call).</summary>
[Cmdlet(VerbsLifecycle.Stop, "HailuoJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = JobSet)]
[OutputType(typeof(HailuoJobInfo))]
public sealed class StopHailuoJobCommand : JobInputCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => Run(() =>
    {
        using var commands = new JobCommands(Output(), RunspaceSession.Current, StopToken);
        ForEachJob((job, _) => commands.Stop(job, PassThru));
    });
}
