using System;
using System.Collections;
using System.Management.Automation;

namespace Hailuo.PowerShell;

/// <summary>
/// A video generation job as the cmdlets write it: plain .NET types only, because the engine's own types load
/// in a private context and must never reach the pipeline. Its properties line up with New-HailuoVideo's
/// parameters, so that failed jobs exported to CSV can be fed back in.
/// </summary>
public sealed class HailuoJobInfo
{
    /// <summary>The engine's job this was made from, kept for the cmdlets; an object so that no engine type shows.</summary>
    internal object? EngineJob;

    /// <summary>The provider's job id (core.today job_id, Replicate prediction id, MiniMax task_id, Cloudflare request_id).</summary>
    public string? Id { get; set; }

    /// <summary>CoreToday, Cloudflare, Replicate or MiniMax.</summary>
    public string? Provider { get; set; }

    /// <summary>hailuo-2.3 or hailuo-2.3-fast.</summary>
    public string? Model { get; set; }

    /// <summary>Queued, Running, Succeeded, Failed or Canceled.</summary>
    public string? Status { get; set; }

    public string? Prompt { get; set; }

    public string? FirstFrameImage { get; set; }

    /// <summary>Seconds, as asked for; empty when the default (6) was used.</summary>
    public int? Duration { get; set; }

    /// <summary>As asked for; empty when the default (768p) was used.</summary>
    public string? Resolution { get; set; }

    public bool? PromptOptimizer { get; set; }

    public bool? FastPretreatment { get; set; }

    public string? CallbackUrl { get; set; }

    /// <summary>Where the video can be downloaded once the job has succeeded; such links expire.</summary>
    public Uri? VideoUri { get; set; }

    /// <summary>MiniMax's file id, from which a fresh link can be had.</summary>
    public string? FileId { get; set; }

    /// <summary>Why the job failed, in the provider's words where it gave any.</summary>
    public string? Error { get; set; }

    /// <summary>What kind of failure, such as ContentFiltered, InsufficientCredits or OutcomeUnknown.</summary>
    public string? ErrorKind { get; set; }

    /// <summary>What to do about the failure.</summary>
    public string? RecommendedAction { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>From creation to completion, or so far while the job runs.</summary>
    public TimeSpan? Elapsed { get; set; }

    /// <summary>True when the job came from the ledger instead of a new, paid create.</summary>
    public bool Reused { get; set; }

    /// <summary>The hash by which the ledger recognises the same input sent again.</summary>
    public string? InputHash { get; set; }

    /// <summary>The row number of the input the job came from, as the submitting cmdlet counted it.</summary>
    public long Index { get; set; }

    /// <summary>What a video costs at the provider, where it prices per video in credits (core.today: 420); empty elsewhere.</summary>
    public int? Credits { get; set; }

    /// <summary>
    /// The input's other columns, carried along (keys compare case-insensitively). Hidden, because each entry is also
    /// a property of the written object: Export-Csv then writes the columns themselves, not "System.Collections.Hashtable".
    /// </summary>
    [Hidden]
    public Hashtable Tag { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public override string ToString() => Id ?? "";
}
