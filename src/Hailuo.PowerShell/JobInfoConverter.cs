using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.PowerShell.Common;
using Hailuo.Providers;

namespace Hailuo.PowerShell;

/// <summary>
/// Converts between the engine's job and <see cref="HailuoJobInfo"/>, the only shape of a job that reaches the
/// pipeline. Internal because its signatures name engine types, which must stay out of the public surface.
/// </summary>
internal static class JobInfoConverter
{
    /// <summary>The job as the pipeline shows it; <paramref name="index"/> is the row number it came from.</summary>
    public static HailuoJobInfo FromEngine(HailuoJob job, long index)
    {
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }
        return WithRequest(job.Request, new HailuoJobInfo
        {
            EngineJob = job,
            Id = job.Id,
            Provider = job.Provider.ToString(),
            Model = job.Model,
            Status = job.Status.ToString(),
            VideoUri = job.VideoUri,
            FileId = job.FileId,
            Error = job.Error?.Message,
            ErrorKind = job.Error?.Kind.ToString(),
            RecommendedAction = RecommendedActions.For(job.Error),
            CreatedAt = job.CreatedAt,
            StartedAt = job.StartedAt,
            CompletedAt = job.CompletedAt,
            Elapsed = Elapsed(job, DateTimeOffset.UtcNow),
            Reused = job.Reused,
            InputHash = job.InputHash,
            Index = index,
            Credits = ProviderProfiles.For(job.Provider).CreditsPerVideo,
            Tag = ToHashtable(job.Tag),
        });
    }

    /// <summary>A create with no known outcome, as Get-HailuoJob lists it: no id, Status Unknown, and what to do.</summary>
    public static HailuoJobInfo FromUnsettled(LedgerEntry entry)
    {
        var error = entry.Error ?? new HailuoError(HailuoErrorKind.OutcomeUnknown,
            "The create was sent (or about to be) but no answer was recorded, so it may or may not have made and charged for a job.");
        return WithRequest(entry.Request, new HailuoJobInfo
        {
            Provider = entry.Provider.ToString(),
            Model = entry.Model,
            Status = UnknownStatus,
            Error = error.Message,
            ErrorKind = HailuoErrorKind.OutcomeUnknown.ToString(),
            RecommendedAction = RecommendedActions.For(error.WithRemedy(HailuoRemedy.CheckDashboardOrForce)),
            CreatedAt = entry.CreatedAt,
            InputHash = entry.InputHash,
            Index = entry.Row ?? 0,
            Credits = ProviderProfiles.For(entry.Provider).CreditsPerVideo,
            Tag = ToHashtable(entry.Tag),
        });
    }

    /// <summary>
    /// Fills in what was asked for: the job object repeats the request's fields under New-HailuoVideo's parameter
    /// names, so that an exported job can be fed back in.
    /// </summary>
    private static HailuoJobInfo WithRequest(VideoRequest? request, HailuoJobInfo info)
    {
        info.Prompt = request?.Prompt;
        info.FirstFrameImage = request?.FirstFrameImage;
        info.Duration = request?.Duration;
        info.Resolution = request?.Resolution;
        info.PromptOptimizer = request?.PromptOptimizer;
        info.FastPretreatment = request?.FastPretreatment;
        info.CallbackUrl = request?.CallbackUrl;
        return info;
    }

    /// <summary>The Status of a create whose outcome is unknown: no JobStatus names it, since no job is known.</summary>
    public const string UnknownStatus = "Unknown";

    private static Hashtable ToHashtable(IReadOnlyDictionary<string, string?> source)
    {
        var tag = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in source)
        {
            tag[pair.Key] = pair.Value;
        }
        return tag;
    }

    /// <summary>
    /// The object to write: <paramref name="info"/> with each Tag entry as a NoteProperty too, so that the input's
    /// own columns come back out of Export-Csv. An entry named like an existing property is left in Tag only.
    /// </summary>
    public static PSObject ToPipelineObject(HailuoJobInfo info)
    {
        if (info is null)
        {
            throw new ArgumentNullException(nameof(info));
        }
        var pipelineObject = PSObject.AsPSObject(info);
        if (info.Tag is not { } tag)
        {
            return pipelineObject;
        }
        // Sorted, because a Hashtable has no order and a CSV's columns should not move between runs.
        var names = tag.Keys.Cast<object?>().Select(key => key?.ToString()).OfType<string>().OrderBy(name => name, StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            if (name.Length > 0 && pipelineObject.Properties[name] is null)
            {
                pipelineObject.Properties.Add(new PSNoteProperty(name, tag[name]));
            }
        }
        return pipelineObject;
    }

    /// <summary>
    /// The engine's job behind <paramref name="info"/>: the one it was made from, or else one rebuilt from its
    /// properties (for objects made by hand or deserialized). Null when Id or Provider do not name a job.
    /// </summary>
    public static HailuoJob? ToEngine(HailuoJobInfo info)
    {
        if (info is null)
        {
            throw new ArgumentNullException(nameof(info));
        }
        if (info.EngineJob is HailuoJob engineJob)
        {
            return engineJob;
        }
        if (string.IsNullOrWhiteSpace(info.Id) || ParseName<HailuoProvider>(info.Provider) is not { } provider)
        {
            return null;
        }
        var request = new VideoRequest
        {
            Prompt = info.Prompt,
            FirstFrameImage = info.FirstFrameImage,
            Duration = info.Duration,
            Resolution = info.Resolution,
            PromptOptimizer = info.PromptOptimizer,
            FastPretreatment = info.FastPretreatment,
            CallbackUrl = info.CallbackUrl,
            Model = info.Model,
        };
        var model = HailuoModels.Normalize(info.Model) ?? info.Model!;
        var status = ParseName<JobStatus>(info.Status) ?? JobStatus.Queued;
        return new HailuoJob(info.Id!.Trim(), provider, model, status).With(
            videoUri: info.VideoUri,
            fileId: info.FileId,
            error: Error(info),
            createdAt: info.CreatedAt,
            startedAt: info.StartedAt,
            completedAt: info.CompletedAt,
            request: request,
            inputHash: info.InputHash,
            tag: EngineTag(info.Tag),
            reused: info.Reused);
    }

    /// <summary>From creation (or start) to completion; for a job still running, up to <paramref name="now"/>.</summary>
    internal static TimeSpan? Elapsed(HailuoJob job, DateTimeOffset now)
    {
        var start = job.CreatedAt ?? job.StartedAt;
        var end = job.CompletedAt ?? (job.IsFinal ? null : now);
        if (start is null || end is null)
        {
            return null;
        }
        var elapsed = end.Value - start.Value;
        return elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
    }

    private static HailuoError? Error(HailuoJobInfo info)
    {
        if (string.IsNullOrWhiteSpace(info.Error) && string.IsNullOrWhiteSpace(info.ErrorKind))
        {
            return null;
        }
        var kind = ParseName<HailuoErrorKind>(info.ErrorKind) ?? HailuoErrorKind.JobFailed;
        var message = string.IsNullOrWhiteSpace(info.Error) ? kind.ToString() : info.Error!;
        return new HailuoError(kind, message);
    }

    private static IReadOnlyDictionary<string, string?> EngineTag(Hashtable? tag)
    {
        var copy = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (tag is null)
        {
            return copy;
        }
        foreach (DictionaryEntry entry in tag)
        {
            if (entry.Key?.ToString() is { Length: > 0 } key)
            {
                copy[key] = CsvValue.Unwrap(entry.Value) is { } value ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
            }
        }
        return copy;
    }

    // By name only, any case: Enum.TryParse would also take "1" or "7", which name nothing here.
    private static T? ParseName<T>(string? text) where T : struct, Enum
    {
        var name = text?.Trim();
        foreach (var candidate in Enum.GetNames(typeof(T)))
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                return (T)Enum.Parse(typeof(T), candidate);
            }
        }
        return null;
    }
}
