using System;
using Hailuo.Models;

namespace Hailuo.Commands;

/// <summary>
/// Where command logic writes, as PSScriptAnalyzer's IOutputWriter: the cmdlets implement it over
/// PSCmdlet, tests implement it over lists. Every call is made on the thread that owns the pipeline.
/// </summary>
public interface ICommandOutput
{
    void WriteObject(object item);

    void WriteError(CommandError error);

    /// <summary>A warning; the output words <paramref name="remedy"/> after it, as it does for errors.</summary>
    void WriteWarning(string message, HailuoRemedy remedy = HailuoRemedy.None);

    void WriteVerbose(string message);

    void WriteDebug(string message);

    void WriteProgress(CommandProgress progress);

    bool ShouldProcess(string target, string action);
}

/// <summary>PowerShell's error categories that Hailuo's errors fall into, named as PowerShell names them.</summary>
public enum CommandErrorCategory
{
    InvalidArgument,
    AuthenticationError,
    QuotaExceeded,
    SecurityError,
    ObjectNotFound,
    LimitsExceeded,
    ConnectionError,
    InvalidResult,
    NotImplemented,
    OperationStopped,
    ResourceUnavailable,
    InvalidOperation,
    WriteError,
}

/// <summary>A non-terminating error: what went wrong, on which object, and what to do.</summary>
public sealed class CommandError
{
    public CommandError(HailuoError error, object? target, string? errorId = null)
    {
        Error = error;
        Target = target;
        ErrorId = errorId ?? "Hailuo." + error.Kind;
        Category = CategoryOf(error.Kind);
    }

    public HailuoError Error { get; }

    /// <summary>The row, job or path the error is about; a failed job is its own target.</summary>
    public object? Target { get; }

    /// <summary>The error id; PowerShell appends the cmdlet name to make the FullyQualifiedErrorId.</summary>
    public string ErrorId { get; }

    public CommandErrorCategory Category { get; }

    public string Message => Error.Message;

    public HailuoRemedy Remedy => Error.Remedy;

    /// <summary>
    /// An error of the connection rather than of one row or job (a missing or refused key, an address that is not the
    /// provider's API): every other row would fail the same way, so it ends the command as one terminating error.
    /// </summary>
    public bool StopsCommand => IsConnectionProblem(Error);

    /// <summary>Whether an error is the connection's (the key, the address) rather than one row's or one job's.</summary>
    public static bool IsConnectionProblem(HailuoError error) =>
        error.Remedy is HailuoRemedy.CheckKey or HailuoRemedy.ConnectFirst or HailuoRemedy.CheckBaseUri;

    public static CommandErrorCategory CategoryOf(HailuoErrorKind kind) => kind switch
    {
        HailuoErrorKind.Validation or HailuoErrorKind.InvalidParameters => CommandErrorCategory.InvalidArgument,
        HailuoErrorKind.Authentication => CommandErrorCategory.AuthenticationError,
        HailuoErrorKind.InsufficientCredits => CommandErrorCategory.QuotaExceeded,
        HailuoErrorKind.ContentFiltered => CommandErrorCategory.SecurityError,
        HailuoErrorKind.NotFound or HailuoErrorKind.Expired => CommandErrorCategory.ObjectNotFound,
        HailuoErrorKind.RateLimited => CommandErrorCategory.LimitsExceeded,
        HailuoErrorKind.Transient => CommandErrorCategory.ConnectionError,
        HailuoErrorKind.Protocol => CommandErrorCategory.InvalidResult,
        HailuoErrorKind.NotSupported => CommandErrorCategory.NotImplemented,
        HailuoErrorKind.OutcomeUnknown => CommandErrorCategory.OperationStopped,
        _ => CommandErrorCategory.InvalidResult,
    };

    public override string ToString() => $"{ErrorId}: {Message}";
}

/// <summary>A progress record, in PowerShell's terms.</summary>
public sealed class CommandProgress
{
    public CommandProgress(int activityId, string activity, string status)
    {
        ActivityId = activityId;
        Activity = activity;
        Status = status;
    }

    public int ActivityId { get; }

    public string Activity { get; }

    public string Status { get; }

    /// <summary>0 to 100, or -1 when unknown.</summary>
    public int PercentComplete { get; set; } = -1;

    /// <summary>Seconds left, or -1 when unknown.</summary>
    public int SecondsRemaining { get; set; } = -1;

    public string? CurrentOperation { get; set; }

    public int ParentActivityId { get; set; } = -1;

    /// <summary>True to remove the bar.</summary>
    public bool Completed { get; set; }
}

/// <summary>A job that command logic emits, with the row it came from.</summary>
public sealed class JobResult
{
    public JobResult(HailuoJob job, long index)
    {
        Job = job;
        Index = index;
    }

    public HailuoJob Job { get; }

    /// <summary>The row number (1-based) for New-HailuoVideo; carried along so {index} names files.</summary>
    public long Index { get; }
}

/// <summary>A create the ledger holds with no known outcome: it may or may not have made (and charged for) a job.</summary>
public sealed class UnsettledCreate
{
    public UnsettledCreate(Ledger.LedgerEntry entry) => Entry = entry;

    public Ledger.LedgerEntry Entry { get; }
}

/// <summary>A video on disk, with its job.</summary>
public sealed class SavedVideo
{
    public SavedVideo(string path, long length, bool skipped, HailuoJob job, long index)
    {
        Path = path;
        Length = length;
        Skipped = skipped;
        Job = job;
        Index = index;
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>An identical file was already there, so nothing was downloaded.</summary>
    public bool Skipped { get; }

    public HailuoJob Job { get; }

    public long Index { get; }
}

/// <summary>
/// An output built from delegates. The cmdlets use it rather than implementing
/// <see cref="ICommandOutput"/> themselves, so that no type of theirs has an engine interface: loading
/// the cmdlet assembly's types must not need the engine before the module initializer has run.
/// </summary>
public sealed class DelegatingOutput : ICommandOutput
{
    private readonly Action<object> _writeObject;
    private readonly Action<CommandError> _writeError;
    private readonly Action<string, HailuoRemedy> _writeWarning;
    private readonly Action<string> _writeVerbose;
    private readonly Action<string> _writeDebug;
    private readonly Action<CommandProgress> _writeProgress;
    private readonly Func<string, string, bool> _shouldProcess;

    public DelegatingOutput(
        Action<object> writeObject,
        Action<CommandError> writeError,
        Action<string, HailuoRemedy> writeWarning,
        Action<string> writeVerbose,
        Action<string> writeDebug,
        Action<CommandProgress> writeProgress,
        Func<string, string, bool> shouldProcess)
    {
        _writeObject = writeObject;
        _writeError = writeError;
        _writeWarning = writeWarning;
        _writeVerbose = writeVerbose;
        _writeDebug = writeDebug;
        _writeProgress = writeProgress;
        _shouldProcess = shouldProcess;
    }

    public void WriteObject(object item) => _writeObject(item);

    public void WriteError(CommandError error) => _writeError(error);

    public void WriteWarning(string message, HailuoRemedy remedy = HailuoRemedy.None) => _writeWarning(message, remedy);

    public void WriteVerbose(string message) => _writeVerbose(message);

    public void WriteDebug(string message) => _writeDebug(message);

    public void WriteProgress(CommandProgress progress) => _writeProgress(progress);

    public bool ShouldProcess(string target, string action) => _shouldProcess(target, action);
}
