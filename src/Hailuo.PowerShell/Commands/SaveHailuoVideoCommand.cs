using System;
using System.Management.Automation;
using Hailuo.Pipeline;
using Hailuo.PowerShell.Common;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Commands;

/// <summary>Downloads finished jobs' videos, several at a time, and writes each file as it is complete.</summary>
[Cmdlet(VerbsData.Save, "HailuoVideo", DefaultParameterSetName = JobSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Save-HailuoVideo.md")]
[OutputType(typeof(System.IO.FileInfo))]
public sealed class SaveHailuoVideoCommand : JobInputCmdlet
{
    /// <summary>The folder, first by position as with Export-Csv, so <c>... | Save-HailuoVideo ./videos</c> reads as it says.</summary>
    [Parameter(Position = 0)]
    public string? Path { get; set; }

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = JobSet)]
    public HailuoJobInfo[] Job { get; set; } = Array.Empty<HailuoJobInfo>();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Alias("JobId", "job_id", "task_id")]
    [JobIdTransformation]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>With -Id: the row number the job was submitted for (an exported job's Index column), which {index} in file names uses.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    public long Index { get; set; }

    [Parameter]
    public string FileNameTemplate { get; set; } = Hailuo.Downloads.FileNameTemplate.Default;

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    [Parameter]
    public SwitchParameter NoProgress { get; set; }

    private protected override HailuoJobInfo[] JobInput => Job;

    private protected override string[] IdInput => Id;

    private protected override long IndexInput => Index;

    /// <summary>
    /// A template that cannot name a file is refused here, before any upstream ProcessRecord runs: every BeginProcessing
    /// of a pipeline runs first, so New-HailuoVideo has sent (and paid for) nothing yet.
    /// </summary>
    protected override void BeginProcessing()
    {
        RunConfiguration(() => Hailuo.Downloads.FileNameTemplate.Check(FileNameTemplate));
        base.BeginProcessing();
    }

    protected override void ProcessRecord() => Run(() => ForEachJob((job, index) => Saver().Add(job, index)));

    protected override void EndProcessing() => Run(() => Saver().Complete());

    private SaveBatch Saver() => Logic(() => new SaveBatch(Output(), RunspaceConnection.Current, new SaveBatchOptions
    {
        Path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path ?? "."),
        FileNameTemplate = FileNameTemplate,
        Force = Force,
        ThrottleLimit = ThrottleLimit,
        ShowProgress = !NoProgress,
    }, StopToken));
}
