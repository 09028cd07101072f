using Hailuo.Models;

namespace Hailuo.Pipeline;

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
