using System;
using System.Management.Automation;
using Hailuo.Pipeline;
using Hailuo.PowerShell.Common;

namespace Hailuo.PowerShell.Commands;

/// <summary>Waits for jobs and writes each one as it finishes, while upstream cmdlets keep submitting.</summary>
[Cmdlet(VerbsLifecycle.Wait, "HailuoJob", DefaultParameterSetName = JobSet, HelpUri = HelpLinks.Base + "Wait-HailuoJob.md")]
[OutputType(typeof(HailuoJobInfo))]
public sealed class WaitHailuoJobCommand : PositionalJobInputCmdlet
{
    /// <summary>With -Id: the row number the job was submitted for (an exported job's Index column), which file names use.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    public long Index { get; set; }

    /// <summary>As Wait-Job: seconds to wait before writing what has finished and returning.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Timeout { get; set; }

    [Parameter]
    public SwitchParameter Any { get; set; }

    [Parameter]
    public SwitchParameter NoProgress { get; set; }

    private protected override long IndexInput => Index;

    protected override void ProcessRecord() => Run(() => ForEachJob((job, index) => Waiter().Add(job, index)));

    protected override void EndProcessing() => Run(() => Waiter().Complete());

    private WaitBatch Waiter() => Logic(() => new WaitBatch(Output(), RunspaceConnection.Current, new WaitBatchOptions
    {
        Timeout = Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        Any = Any,
        ShowProgress = !NoProgress,
    }, StopToken));
}
