using System;

namespace Hailuo.Models;

/// <summary>What kind of failure an error is, which decides whether it is retried and what the user should do.</summary>
public enum HailuoErrorKind
{
    /// <summary>The key is missing, wrong or revoked. Final.</summary>
    Authentication,
    /// <summary>The account cannot pay for the video. Final.</summary>
    InsufficientCredits,
    /// <summary>The prompt, image or output was flagged (MiniMax 1026/1027, Replicate E005). Final.</summary>
    ContentFiltered,
    /// <summary>The provider refused the parameters. Final.</summary>
    InvalidParameters,
    /// <summary>The request was checked locally and never sent. Final.</summary>
    Validation,
    /// <summary>The job or file does not exist (or no longer does). Final.</summary>
    NotFound,
    /// <summary>The provider asked us to slow down. Retried after Retry-After.</summary>
    RateLimited,
    /// <summary>A 5xx, a reset or a timeout. Reads are retried; creates only when provably not received.</summary>
    Transient,
    /// <summary>A create may or may not have reached the provider: it is never resubmitted silently.</summary>
    OutcomeUnknown,
    /// <summary>The answer could not be understood (malformed or unexpected JSON).</summary>
    Protocol,
    /// <summary>A download link has expired; it is refreshed, not retried as is.</summary>
    Expired,
    /// <summary>The provider cannot do what was asked (for example, MiniMax has no cancel call).</summary>
    NotSupported,
    /// <summary>The job ran and failed for another reason.</summary>
    JobFailed,
}

/// <summary>
/// What the user can do about an error, as a fact rather than words: the PowerShell layer words it with
/// the commands and parameters a user types, so the engine never spells them.
/// </summary>
public enum HailuoRemedy
{
    /// <summary>Nothing to do but read the message.</summary>
    None,
    /// <summary>The key is missing, wrong or revoked: connect again with the right one.</summary>
    CheckKey,
    /// <summary>No key is configured for the provider: connect, or set its environment variable.</summary>
    ConnectFirst,
    /// <summary>The account cannot pay: top it up and run again; finished jobs are not paid twice.</summary>
    TopUp,
    /// <summary>The content filter refused the prompt or image: change it and submit again.</summary>
    ChangeContent,
    /// <summary>A value the message names is wrong; nothing was sent.</summary>
    FixInput,
    /// <summary>The job or its output is not at the provider (any more): check the id and provider.</summary>
    CheckJobId,
    /// <summary>The API root answered as if it were not the provider's: check the base URI.</summary>
    CheckBaseUri,
    /// <summary>The provider asked to slow down.</summary>
    SlowDown,
    /// <summary>A temporary failure of the provider or the network.</summary>
    TryLater,
    /// <summary>A create may have been charged, and this provider cannot be asked: check its dashboard, or force a resubmit.</summary>
    CheckDashboardOrForce,
    /// <summary>A create may have been charged; this provider lists its jobs, so running the same input again after <see cref="HailuoError.SettlesAt"/> settles it.</summary>
    RunAgainToSettle,
    /// <summary>Another process is creating this input now: run again once it has finished.</summary>
    RunAgainLater,
    /// <summary>The answer could not be read; try again.</summary>
    TryAgain,
    /// <summary>A download link expired: get a fresh one.</summary>
    RefreshLink,
    /// <summary>The provider cannot do this: use one that can.</summary>
    UseOtherProvider,
    /// <summary>The provider has no cancel call: the job runs to the end and is charged.</summary>
    LetItFinish,
    /// <summary>The job failed: change the input if needed and submit again.</summary>
    SubmitAgain,
    /// <summary>The job is not finished: wait for it first.</summary>
    WaitFirst,
    /// <summary>The job's video is gone at the provider; only a new submission (paid again) makes one.</summary>
    ForceResubmit,
    /// <summary>A different file is already where the video would go: overwrite it, or name the file otherwise.</summary>
    OverwriteOrRename,
    /// <summary>Two jobs would share one file: name files so rows differ.</summary>
    DistinctFileNames,
    /// <summary>The video cannot be written where it was asked to go: save it elsewhere; it is not paid for again.</summary>
    FixSavePath,
    /// <summary>The file-name template is not valid.</summary>
    FixFileNameTemplate,
    /// <summary>A credit budget stopped submissions: raise it or run the rest later.</summary>
    RaiseCreditBudget,
    /// <summary>The job could not be watched to the end: look again later; a re-run does not pay again.</summary>
    LookAgainLater,
}

/// <summary>An error in one shape for every provider, with what can be done about it.</summary>
public sealed class HailuoError
{
    public HailuoError(HailuoErrorKind kind, string message, string? code = null, HailuoRemedy? remedy = null, TimeSpan? retryAfter = null)
    {
        Kind = kind;
        Message = message;
        Code = code;
        Remedy = remedy ?? DefaultRemedy(kind);
        RetryAfter = retryAfter;
    }

    public HailuoErrorKind Kind { get; }

    /// <summary>The provider's own code where it gave one (HTTP status, MiniMax status_code, Cloudflare error code, Replicate E-code); for a local check, the field.</summary>
    public string? Code { get; }

    /// <summary>What happened, in words that name no command or parameter.</summary>
    public string Message { get; }

    /// <summary>What the user can do about it.</summary>
    public HailuoRemedy Remedy { get; }

    /// <summary>How long the provider asked us to wait, where it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>With <see cref="HailuoRemedy.RunAgainToSettle"/>: from when a re-run can settle the create.</summary>
    public DateTimeOffset? SettlesAt { get; private set; }

    /// <summary>Whether trying the same read again may succeed.</summary>
    public bool IsRetryable => Kind is HailuoErrorKind.RateLimited or HailuoErrorKind.Transient or HailuoErrorKind.Protocol;

    /// <summary>The same error with another message (a row prefix, a redacted text): every other fact kept.</summary>
    public HailuoError WithMessage(string message) => new(Kind, message, Code, Remedy, RetryAfter) { SettlesAt = SettlesAt };

    /// <summary>The same error with another remedy; <paramref name="settlesAt"/> goes with <see cref="HailuoRemedy.RunAgainToSettle"/>.</summary>
    public HailuoError WithRemedy(HailuoRemedy remedy, DateTimeOffset? settlesAt = null) => new(Kind, Message, Code, remedy, RetryAfter) { SettlesAt = settlesAt ?? SettlesAt };

    public override string ToString() => Code is null ? $"{Kind}: {Message}" : $"{Kind} ({Code}): {Message}";

    private static HailuoRemedy DefaultRemedy(HailuoErrorKind kind) => kind switch
    {
        HailuoErrorKind.Authentication => HailuoRemedy.CheckKey,
        HailuoErrorKind.InsufficientCredits => HailuoRemedy.TopUp,
        HailuoErrorKind.ContentFiltered => HailuoRemedy.ChangeContent,
        HailuoErrorKind.InvalidParameters or HailuoErrorKind.Validation => HailuoRemedy.FixInput,
        HailuoErrorKind.NotFound => HailuoRemedy.CheckJobId,
        HailuoErrorKind.RateLimited => HailuoRemedy.SlowDown,
        HailuoErrorKind.Transient => HailuoRemedy.TryLater,
        HailuoErrorKind.OutcomeUnknown => HailuoRemedy.CheckDashboardOrForce,
        HailuoErrorKind.Protocol => HailuoRemedy.TryAgain,
        HailuoErrorKind.Expired => HailuoRemedy.RefreshLink,
        HailuoErrorKind.NotSupported => HailuoRemedy.UseOtherProvider,
        _ => HailuoRemedy.SubmitAgain,
    };
}

/// <summary>Thrown by the engine for every failure it understands; carries the <see cref="HailuoError"/>.</summary>
public class HailuoException : Exception
{
    public HailuoException(HailuoError error, Exception? inner = null)
        : base(error.Message, inner)
    {
        Error = error;
    }

    public HailuoError Error { get; }
}
