using System.IO;
using System.Management.Automation;
using Hailuo.Commands;
using Hailuo.PowerShell.Common;

namespace Hailuo.PowerShell.Commands;

/// <summary>Downloads finished jobs' videos, several at a time, and writes each file as it is complete.</summary>
[Cmdlet(VerbsData.Save, "HailuoVideo", DefaultParameterSetName = JobSet)]
[OutputType(typeof(FileInfo))]
public sealed class SaveHailuoVideoCommand : JobInputCmdlet
{
    [Parameter(Position = 1)]
    public string? Path { get; set; }

    [Parameter]
    public string FileNameTemplate { get; set; } = Hailuo.Downloads.FileNameTemplate.Default;

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    [Parameter]
    public SwitchParameter NoProgress { get; set; }

    protected override void ProcessRecord() => Run(() => ForEachJob((job, index) => Saver().Add(job, index)));

    protected override void EndProcessing() => Run(() => Saver().Complete());

    private SaveVideoCommand Saver() => Logic(() => new SaveVideoCommand(Output(), RunspaceSession.Current, new SaveOptions
    {
        Path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path ?? "."),
        FileNameTemplate = FileNameTemplate,
        Force = Force,
        ThrottleLimit = ThrottleLimit,
        ShowProgress = !NoProgress,
    }, StopToken));
}
