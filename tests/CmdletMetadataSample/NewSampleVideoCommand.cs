using System.IO;
using System.Management.Automation;
using Hailuo.PowerShell;
using Hailuo.PowerShell.Common;
using Hailuo.PowerShell.Completion;

namespace CmdletMetadataSample;

/// <summary>Declares one of everything the harness reads; does nothing.</summary>
[Cmdlet(VerbsCommon.New, "SampleVideo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Submit")]
[OutputType(typeof(HailuoJobInfo), typeof(FileInfo))]
public sealed class NewSampleVideoCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("prompt", "text")]
    [EmptyToNullTransformation]
    public string? Prompt { get; set; }

    [Parameter(ParameterSetName = "Submit", ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = "Wait", Mandatory = true, Position = 1, HelpMessage = "Seconds")]
    [NullableIntTransformation("Duration")]
    [ArgumentCompleter(typeof(DurationCompleter))]
    public int? Duration { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [BoolTransformation("PromptOptimizer")]
    public bool? PromptOptimizer { get; set; }

    [Parameter]
    [ValidateSet("Queued", "Running")]
    public string[]? Status { get; set; }

    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ParameterSetName = "Wait", Mandatory = true)]
    public SwitchParameter Wait { get; set; }

    /// <summary>Not a parameter: it has no [Parameter].</summary>
    public string? NotAParameter { get; set; }
}
