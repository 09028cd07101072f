using System;
using System.Management.Automation;
using Hailuo.Commands;
using Hailuo.PowerShell.Common;

namespace Hailuo.PowerShell.Commands;

/// <summary>Waits for jobs and writes each one as it finishes, while upstream cmdlets keep submitting.</summary>
[Cmdlet(VerbsLifecycle.Wait, "HailuoJob", DefaultParameterSetName = JobSet)]
[OutputType(typeof(HailuoJobInfo))]
public sealed class WaitHailuoJobCommand : JobInputCmdlet
{
    /// <summary>As Wait-Job: seconds to wait before writing what has finished and returning.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Timeout { get; set; }

    [Parameter]
    public SwitchParameter Any { get; set; }

    [Parameter]
    public SwitchParameter NoProgress { get; set; }

    protected override void ProcessRecord() => Run(() => ForEachJob((job, index) => Waiter().Add(job, index)));

    protected override void EndProcessing() => Run(() => Waiter().Complete());

    private WaitJobCommand Waiter() => Logic(() => new WaitJobCommand(Output(), RunspaceSession.Current, new WaitOptions
    {
        Timeout = Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        Any = Any,
        ShowProgress = !NoProgress,
    }, StopToken));
}
