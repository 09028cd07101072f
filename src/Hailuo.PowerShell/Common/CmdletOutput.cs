using System;
using System.IO;
using System.Management.Automation;
using Hailuo.Pipeline;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// The engine's output interface over a PSCmdlet, built from delegates (an engine class) so that no type
/// here implements an engine interface. It turns engine results into this assembly's types, so nothing
/// from the engine's private load context ever reaches the pipeline.
/// </summary>
internal static class CmdletOutput
{
    public static ICommandOutput For(PSCmdlet cmdlet)
    {
        // With -Debug, a compiled cmdlet's WriteVerbose asks the host to confirm each line, and a host that cannot ask
        // (pwsh -NonInteractive, a runbook) fails the command: under -Debug, verbose lines go to the debug stream.
        var debug = cmdlet.MyInvocation.BoundParameters.ContainsKey("Debug");
        return new DelegatingOutput(
        item => cmdlet.WriteObject(item is SavedVideo saved ? FileItem(cmdlet, saved) : ToPipeline(item)),
        error =>
        {
            if (error.StopsCommand)
            {
                cmdlet.ThrowTerminatingError(ToErrorRecord(error));
            }
            cmdlet.WriteError(ToErrorRecord(error));
        },
        (message, remedy) => cmdlet.WriteWarning(RecommendedActions.For(remedy) is { } advice ? message + " " + advice : message),
        message => Detail(() => (debug ? (Action<string>)cmdlet.WriteDebug : cmdlet.WriteVerbose)(message)),
        message => Detail(() => cmdlet.WriteDebug(message)),
        progress => cmdlet.WriteProgress(ToProgressRecord(progress)),
        cmdlet.ShouldProcess);
    }

    /// <summary>
    /// Writes a verbose or debug line; a host that cannot answer an inquiry about it (Windows PowerShell 5.1's
    /// -Debug asks for every debug line) loses the line, never the batch.
    /// </summary>
    private static void Detail(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is PSInvalidOperationException or System.Management.Automation.Host.HostException)
        {
            // Nobody can be asked: the line is not worth stopping for.
        }
    }

    public static ErrorRecord ToErrorRecord(CommandError error)
    {
        var category = (ErrorCategory)Enum.Parse(typeof(ErrorCategory), error.Category.ToString());
        return new ErrorRecord(new HailuoCommandException(error.Message, error.Error.Kind.ToString(), error.Error.Code), error.ErrorId, category, ToPipeline(error.Target))
        {
            ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = RecommendedActions.For(error.Error) },
        };
    }

    public static ProgressRecord ToProgressRecord(CommandProgress progress) => new(progress.ActivityId, progress.Activity, progress.Status)
    {
        PercentComplete = Math.Min(100, progress.PercentComplete),
        SecondsRemaining = progress.SecondsRemaining,
        CurrentOperation = progress.CurrentOperation,
        ParentActivityId = progress.ParentActivityId,
        RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
    };

    /// <summary>Engine results become HailuoJobInfo (with the tag columns as properties) or a FileInfo with its job.</summary>
    public static object? ToPipeline(object? item)
    {
        switch (item)
        {
            case JobResult result:
                return JobInfoConverter.ToPipelineObject(JobInfoConverter.FromEngine(result.Job, result.Index));
            case UnsettledCreate unsettled:
                return JobInfoConverter.ToPipelineObject(JobInfoConverter.FromUnsettled(unsettled.Entry));
            default:
                return item;
        }
    }

    /// <summary>
    /// A saved video as the FileSystem provider's item (PSPath, Mode, the provider's views), so that it pipes to
    /// Remove-Item or Copy-Item like any file, with its job and whether it was skipped as NoteProperties.
    /// </summary>
    private static PSObject FileItem(PSCmdlet cmdlet, SavedVideo saved)
    {
        PSObject file;
        try
        {
            file = cmdlet.InvokeProvider.Item.Get(new[] { saved.Path }, true, true) is { Count: > 0 } items ? items[0] : PSObject.AsPSObject(new FileInfo(saved.Path));
        }
        catch (Exception e) when (e is ProviderNotFoundException or ItemNotFoundException or ProviderInvocationException or NotSupportedException)
        {
            file = PSObject.AsPSObject(new FileInfo(saved.Path));
        }
        file.Properties.Add(new PSNoteProperty("HailuoJob", JobInfoConverter.ToPipelineObject(JobInfoConverter.FromEngine(saved.Job, saved.Index))));
        file.Properties.Add(new PSNoteProperty("Skipped", saved.Skipped));
        return file;
    }
}

/// <summary>The exception inside every Hailuo ErrorRecord: this assembly's own type, carrying the engine's error kind and code.</summary>
public sealed class HailuoCommandException : Exception
{
    public HailuoCommandException(string message, string kind, string? code)
        : base(message)
    {
        Kind = kind;
        Code = code;
    }

    /// <summary>The kind of failure, such as Validation, Authentication or OutcomeUnknown.</summary>
    public string Kind { get; }

    /// <summary>The provider's own code, where it gave one.</summary>
    public string? Code { get; }
}
