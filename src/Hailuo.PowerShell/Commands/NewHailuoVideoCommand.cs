using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.PowerShell.Common;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Commands;

/// <summary>Submits Hailuo 2.3 videos, one per prompt or CSV row, and writes each job as soon as it is accepted.</summary>
[Cmdlet(VerbsCommon.New, "HailuoVideo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "New-HailuoVideo.md")]
[OutputType(typeof(HailuoJobInfo), typeof(FileInfo))]
public sealed class NewHailuoVideoCommand : HailuoCmdlet
{
    // The job's own properties: a CSV column named like one is not carried as a tag, because the job written
    // would show its own value under that name (an exported job's columns describe the old job).
    private static readonly HashSet<string> JobProperties = new(
        typeof(HailuoJobInfo).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    private long _row;
    private HashSet<string>? _boundColumns;
    private bool _warnedAboutColumns;

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [EmptyToNullTransformation]
    public string[]? Prompt { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("first_frame_image", "image")]
    [EmptyToNullTransformation]
    public string? FirstFrameImage { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [NullableIntTransformation(nameof(Duration))]
    [ArgumentCompleter(typeof(DurationCompleter))]
    public int? Duration { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyToNullTransformation]
    [ArgumentCompleter(typeof(ResolutionCompleter))]
    public string? Resolution { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("prompt_optimizer")]
    [BoolTransformation(nameof(PromptOptimizer))]
    public bool? PromptOptimizer { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("fast_pretreatment")]
    [BoolTransformation(nameof(FastPretreatment))]
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

    /// <summary>The whole pipeline object: a prompt when it is a string, else a row whose other columns become the job's tag.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxCredits { get; set; }

    /// <summary>Jobs in flight at once for the account while this command submits; the connection's setting or the provider's default otherwise.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? ThrottleLimit { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter Wait { get; set; }

    [Parameter]
    public string? Path { get; set; }

    [Parameter]
    public string? FileNameTemplate { get; set; }

    protected override void BeginProcessing()
    {
        RefuseUnreadableArguments();
        if (!Wait && (MyInvocation.BoundParameters.ContainsKey(nameof(Path)) || MyInvocation.BoundParameters.ContainsKey(nameof(FileNameTemplate))))
        {
            ThrowConfigurationError("-Path and -FileNameTemplate say where -Wait saves the videos, but -Wait was not given, so nothing would be saved.",
                "Hailuo.PathWithoutWait", ErrorCategory.InvalidArgument,
                "Add -Wait to submit, wait and save in one command; or pipe the jobs on: New-HailuoVideo ... | Wait-HailuoJob | Save-HailuoVideo -Path ./videos.");
        }
        if (Wait)
        {
            // Before anything is sent, and once: every row would be refused for it.
            RunConfiguration(() => Hailuo.Downloads.FileNameTemplate.Check(FileNameTemplate ?? Hailuo.Downloads.FileNameTemplate.Default));
        }
        RunConfiguration(EnsureConnected);
        Run(() => Submitter());
    }

    protected override void ProcessRecord() => Run(() =>
    {
        var problems = CellProblems.Take();
        var prompts = Prompt ?? (InputObject?.BaseObject is string text ? new[] { text } : new string?[] { null });
        var tag = TagOf(InputObject);
        foreach (var prompt in prompts)
        {
            _row++;
            var row = new RowInput(new VideoRequest
            {
                Prompt = prompt,
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
                Tag = tag,
                Target = InputObject ?? (object?)prompt,
            };
            if (problems.Count > 0)
            {
                Submitter().Refuse(row, new HailuoError(HailuoErrorKind.Validation,
                    CellProblems.Describe(problems) + " Nothing was sent for this row.", problems[0].Parameter));
                continue;
            }
            Submitter().Process(row);
        }
    });

    protected override void EndProcessing() => Run(() => Submitter().Complete());

    private VideoSubmission Submitter() => Logic(() => new VideoSubmission(Output(), RunspaceConnection.Current, new VideoSubmissionOptions
    {
        Force = Force,
        MaxCredits = MaxCredits,
        ThrottleLimit = ThrottleLimit,
        Wait = Wait,
        Path = Path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path),
        FileNameTemplate = FileNameTemplate,
    }, StopToken));

    /// <summary>A value typed on the command line that cannot be read stops the command before any row is sent.</summary>
    private void RefuseUnreadableArguments()
    {
        var problems = CellProblems.Take();
        if (problems.Count > 0)
        {
            ThrowConfigurationError(CellProblems.Describe(problems) + " Nothing was sent.",
                "Hailuo.InvalidArgument", ErrorCategory.InvalidArgument, $"Change -{problems[0].Parameter} as the message says.");
        }
    }

    /// <summary>A relative image path is relative to PowerShell's location, not the process's.</summary>
    private string? ResolveLocalPath(string? image)
    {
        if (image is null || image.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || image.Contains("://"))
        {
            return image;
        }
        return SessionState.Path.GetUnresolvedProviderPathFromPSPath(image);
    }

    /// <summary>The row's columns that bind to no parameter: they ride along as the job's tag.</summary>
    private IReadOnlyDictionary<string, string?> TagOf(PSObject? row)
    {
        var tag = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (row is null || row.BaseObject is string)
        {
            return tag;
        }
        var bound = BoundColumns();
        var exportedJob = row.Properties[nameof(HailuoJobInfo.InputHash)] is not null;
        var named = new List<string>();
        foreach (var property in row.Properties)
        {
            if (!property.IsGettable || bound.Contains(property.Name))
            {
                continue;
            }
            if (JobProperties.Contains(property.Name))
            {
                named.Add(property.Name);
                continue;
            }
            tag[property.Name] = property.Value?.ToString();
        }
        if (named.Count > 0 && !exportedJob && !_warnedAboutColumns)
        {
            _warnedAboutColumns = true;
            WriteWarning($"The column(s) {string.Join(", ", named)} are not carried along with the jobs: the jobs written have properties of the same name. Rename the column(s), for example to 'my{named[0]}', to keep them as tags.");
        }
        return tag;
    }

    /// <summary>The column names PowerShell binds to this cmdlet's parameters: their names and aliases, read from the cmdlet itself.</summary>
    private HashSet<string> BoundColumns() => _boundColumns ??= new HashSet<string>(
        MyInvocation.MyCommand.Parameters.Values
            .Where(p => p.Attributes.OfType<ParameterAttribute>().Any(a => a.ValueFromPipelineByPropertyName))
            .SelectMany(p => new[] { p.Name }.Concat(p.Aliases)),
        StringComparer.OrdinalIgnoreCase);
}
