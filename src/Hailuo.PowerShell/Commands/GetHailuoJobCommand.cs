using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using Hailuo.Connection;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.PowerShell.Common;
using Hailuo.PowerShell.Completion;

namespace Hailuo.PowerShell.Commands;

/// <summary>Refreshes jobs from their provider by id, or lists past jobs from the ledger.</summary>
[Cmdlet(VerbsCommon.Get, "HailuoJob", DefaultParameterSetName = ListSet, HelpUri = HelpLinks.Base + "Get-HailuoJob.md")]
[OutputType(typeof(HailuoJobInfo))]
public sealed class GetHailuoJobCommand : HailuoCmdlet
{
    private const string ByIdSet = "ById";
    private const string ListSet = "List";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [Alias("JobId", "job_id", "task_id")]
    [JobIdTransformation]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyToNullTransformation]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string? Provider { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    [ValidateSet("Queued", "Running", "Succeeded", "Failed", "Canceled", JobInfoConverter.UnknownStatus, IgnoreCase = true)]
    public string? Status { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public DateTime? Since { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? First { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public Hashtable? Tag { get; set; }

    /// <summary>Listing reads only the ledger, so only a refresh by id needs the key.</summary>
    protected override void BeginProcessing()
    {
        if (ParameterSetName == ByIdSet)
        {
            RunConfiguration(EnsureConnected);
        }
    }

    protected override void ProcessRecord() => Run(() =>
    {
        using var commands = new JobActions(Output(), RunspaceConnection.Current, StopToken);
        if (ParameterSetName == ByIdSet)
        {
            foreach (var id in Id)
            {
                commands.Get(id, Provider);
            }
            return;
        }
        var tag = Tag;
        commands.List(new LedgerQuery
        {
            Status = Status is null || Unknown ? null : (JobStatus)Enum.Parse(typeof(JobStatus), Status, ignoreCase: true),
            Unsettled = Unknown,
            JobsAndUnsettled = true,
            Provider = Provider is null ? null : HailuoConnection.ParseProvider(Provider),
            Since = Since is { } since ? new DateTimeOffset(since.ToUniversalTime()) : null,
            First = First,
            TagFilter = tag is null ? null : t => tag.Keys.Cast<object>().All(k => t.TryGetValue(k.ToString()!, out var v) && string.Equals(v, tag[k]?.ToString(), StringComparison.OrdinalIgnoreCase)),
        });
    });

    private bool Unknown => string.Equals(Status, JobInfoConverter.UnknownStatus, StringComparison.OrdinalIgnoreCase);
}
