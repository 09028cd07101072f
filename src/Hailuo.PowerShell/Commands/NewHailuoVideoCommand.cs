using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Hailuo.Commands;
using Hailuo.Models;
using Hailuo.PowerShell.Common;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Commands;

/// <summary>Submits Hailuo 2.3 videos, one per prompt or CSV row, and writes each job as soon as it is accepted.</summary>
[Cmdlet(VerbsCommon.New, "HailuoVideo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SubmitSet)]
[OutputType(typeof(HailuoJobInfo), typeof(FileInfo))]
public sealed class NewHailuoVideoCommand : HailuoCmdlet
{
    private const string SubmitSet = "Submit";
    private const string WaitSet = "Wait";

    // Columns that bind to parameters or describe the job itself; every other column rides along as the tag.
    private static readonly HashSet<string> BoundColumns = new(StringComparer.OrdinalIgnoreCase)
    {
        "Prompt", "FirstFrameImage", "first_frame_image", "image", "Duration", "Resolution", "PromptOptimizer", "prompt_optimizer",
        "FastPretreatment", "fast_pretreatment", "CallbackUrl", "callback_url", "Model", "Provider",
        "Id", "Status", "VideoUri", "FileId", "Error", "ErrorKind", "RecommendedAction", "CreatedAt", "StartedAt",
        "CompletedAt", "Elapsed", "Reused", "InputHash", "Index", "Tag",
    };

    private long _row;

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    
    [EmptyToNullTransformation]
    public string? Prompt { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("first_frame_image", "image")]
    [EmptyToNullTransformation]
    public string? FirstFrameImage { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    
    [NullableIntTransformation]
    [ArgumentCompleter(typeof(DurationCompleter))]
    public int? Duration { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    
    [EmptyToNullTransformation]
    [ArgumentCompleter(typeof(ResolutionCompleter))]
    public string? Resolution { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("prompt_optimizer")]
    [BoolTransformation]
    public bool? PromptOptimizer { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("fast_pretreatment")]
    [BoolTransformation]
    public bool? FastPretreatment { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("callback_url")]
    [EmptyToNullTransformation]
    public string? CallbackUrl { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    
    [EmptyToNullTransformation]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    
    [EmptyToNullTransformation]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string? Provider { get; set; }

    /// <summary>The whole pipeline object (a CSV row): its other columns become the job's tag.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxCredits { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = WaitSet)]
    public SwitchParameter Wait { get; set; }

    [Parameter(ParameterSetName = WaitSet)]
    public string? Path { get; set; }

    [Parameter(ParameterSetName = WaitSet)]
    public string? FileNameTemplate { get; set; }

    protected override void BeginProcessing() => Run(EnsureConnected);

    protected override void ProcessRecord() => Run(() =>
    {
        _row++;
        var row = new RowInput(new VideoRequest
        {
            Prompt = Prompt,
            FirstFrameImage = ResolveLocalPath(FirstFrameImage),
            Duration = Duration,
            Resolution = Resolution,
            PromptOptimizer = PromptOptimizer,
            FastPretreatment = FastPretreatment,
            CallbackUrl = CallbackUrl,
            Model = Model,
        }, _row)
        {
            Provider = Provider,
            Tag = TagOf(InputObject),
            Target = InputObject ?? (object?)Prompt,
        };
        Submitter().Process(row);
    });

    protected override void EndProcessing() => Run(() => Submitter().Complete());

    private NewVideoCommand Submitter() => Logic(() => new NewVideoCommand(Output(), RunspaceSession.Current, new NewVideoOptions
    {
        Force = Force,
        MaxCredits = MaxCredits,
        Wait = Wait,
        Path = Path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path),
        FileNameTemplate = FileNameTemplate,
    }, StopToken));

    /// <summary>A relative image path is relative to PowerShell's location, not the process's.</summary>
    private string? ResolveLocalPath(string? image)
    {
        if (image is null || image.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || image.Contains("://"))
        {
            return image;
        }
        return SessionState.Path.GetUnresolvedProviderPathFromPSPath(image);
    }

    private static IReadOnlyDictionary<string, string?> TagOf(PSObject? row)
    {
        var tag = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (row is null || row.BaseObject is string)
        {
            return tag;
        }
        foreach (var property in row.Properties)
        {
            if (!BoundColumns.Contains(property.Name) && property.IsGettable)
            {
                tag[property.Name] = property.Value?.ToString();
            }
        }
        return tag;
    }
}
