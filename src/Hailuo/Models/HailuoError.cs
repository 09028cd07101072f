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

/// <summary>An error in one shape for every provider, with what to do about it.</summary>
public sealed class HailuoError
{
    public HailuoError(HailuoErrorKind kind, string message, string? code = null, string? recommendedAction = null, TimeSpan? retryAfter = null)
    {
        Kind = kind;
        Message = message;
        Code = code;
        RecommendedAction = recommendedAction ?? DefaultAction(kind);
        RetryAfter = retryAfter;
    }

    public HailuoErrorKind Kind { get; }

    /// <summary>The provider's own code where it gave one (HTTP status, MiniMax status_code, Cloudflare error code, Replicate E-code).</summary>
    public string? Code { get; }

    public string Message { get; }

    /// <summary>What the user should change or do.</summary>
    public string RecommendedAction { get; }

    /// <summary>How long the provider asked us to wait, where it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether trying the same read again may succeed.</summary>
    public bool IsRetryable => Kind is HailuoErrorKind.RateLimited or HailuoErrorKind.Transient or HailuoErrorKind.Protocol;

    public override string ToString() => Code is null ? $"{Kind}: {Message}" : $"{Kind} ({Code}): {Message}";

    private static string DefaultAction(HailuoErrorKind kind) => kind switch
    {
        HailuoErrorKind.Authentication => "Check the API key: run Connect-Hailuo again with the right key or secret.",
        HailuoErrorKind.InsufficientCredits => "Top up the provider account, then run the same command again; finished jobs are not paid for twice.",
        HailuoErrorKind.ContentFiltered => "Change the prompt or image so that it passes the provider's content filter, then submit again.",
        HailuoErrorKind.InvalidParameters => "Fix the parameter the message names, then submit again.",
        HailuoErrorKind.Validation => "Fix the value the message names; nothing was sent and nothing was charged.",
        HailuoErrorKind.NotFound => "Check the job id and the provider; the provider may have deleted the job or its output.",
        HailuoErrorKind.RateLimited => "Wait and try again, or lower the request rate.",
        HailuoErrorKind.Transient => "Try again later; the provider or the network had a temporary problem.",
        HailuoErrorKind.OutcomeUnknown => "The provider may have accepted this job. Check its dashboard; to submit again anyway, use -Force.",
        HailuoErrorKind.Protocol => "Try again; if it persists, the provider's API may have changed.",
        HailuoErrorKind.Expired => "Get a fresh link: Get-HailuoJob refreshes it, and Save-HailuoVideo does so by itself.",
        HailuoErrorKind.NotSupported => "Use a provider that supports this operation.",
        _ => "Check the message, change the input if needed, and submit again.",
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
