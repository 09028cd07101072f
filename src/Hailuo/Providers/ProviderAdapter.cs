using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Transport;

namespace Hailuo.Providers;

/// <summary>
/// One provider's wire protocol: how a request becomes its JSON, how its answers become one
/// <see cref="HailuoJob"/>, and how its errors map onto <see cref="HailuoErrorKind"/>.
/// </summary>
internal abstract class ProviderAdapter
{
    private readonly string _base;

    protected ProviderAdapter(HailuoClientOptions options)
    {
        Options = options;
        _base = options.EffectiveBaseUri.ToString().TrimEnd('/');
    }

    public abstract HailuoProvider Provider { get; }

    protected HailuoClientOptions Options { get; }

    public virtual void Authorize(HttpRequestMessage request, HailuoCredential credential) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.Reveal());

    /// <summary>The provider's create call for a validated request; <paramref name="image"/> is a URL or a data URI.</summary>
    public abstract ApiCall BuildCreate(VideoRequest request, string model, string? image);

    public abstract HailuoJob ParseCreated(JsonElement root, string model);

    public abstract ApiCall BuildStatus(HailuoJob job);

    public abstract HailuoJob ParseStatus(JsonElement root, HailuoJob job);

    /// <summary>The cancel call, or null when the provider has none.</summary>
    public virtual ApiCall? BuildCancel(HailuoJob job) => null;

    /// <summary>MiniMax's files/retrieve; null where the job's own URL is the download link.</summary>
    public virtual ApiCall? BuildRetrieve(HailuoJob job) => null;

    public virtual Uri? ParseRetrieve(JsonElement root) => null;

    /// <summary>Whether a status read that shows a succeeded job gives a fresh link (false for MiniMax, whose link comes from retrieve).</summary>
    public virtual bool StatusGivesVideoUri => true;

    /// <summary>The error in an answer, or null when it is a success. MiniMax's errors come with HTTP 200.</summary>
    public abstract HailuoError? Classify(HttpStatusCode status, JsonElement? root, string body, HttpResponseHeaders headers);

    /// <summary>
    /// Pulls a job id out of a create answer that arrived cut short or garbled, so that a paid job
    /// is not lost because its reply was damaged.
    /// </summary>
    public virtual string? SalvageId(string body)
    {
        var match = Regex.Match(body, "\"(?:" + string.Join("|", IdFields) + ")\"\\s*:\\s*\"([^\"\\\\]{4,128})\"");
        return match.Success ? match.Groups[1].Value : null;
    }

    protected abstract string[] IdFields { get; }

    /// <summary>Replicate's input schema for minimax/hailuo-2.3, which core.today passes through as it is.</summary>
    protected static System.Collections.Generic.Dictionary<string, object> ReplicateInput(VideoRequest request, string? image)
    {
        var input = new System.Collections.Generic.Dictionary<string, object>
        {
            ["prompt"] = request.Prompt!,
            ["duration"] = request.EffectiveDuration,
            ["resolution"] = request.EffectiveResolution!,
            ["prompt_optimizer"] = request.EffectivePromptOptimizer,
        };
        if (image is not null)
        {
            input["first_frame_image"] = image;
        }
        return input;
    }

    protected Uri Url(string relative) => new(_base + "/" + relative.TrimStart('/'));

    /// <summary>Every provider's status words onto one model; null for a word we do not know.</summary>
    public static JobStatus? StatusFromWord(string? word) => word?.Trim().ToLowerInvariant() switch
    {
        "pending" or "starting" or "queued" or "queueing" or "preparing" => JobStatus.Queued,
        "processing" or "running" or "in_progress" => JobStatus.Running,
        "completed" or "succeeded" or "success" => JobStatus.Succeeded,
        "failed" or "fail" or "error" => JobStatus.Failed,
        "cancelled" or "canceled" => JobStatus.Canceled,
        _ => null,
    };

    /// <summary>Turns a job's failure text into an error, recognising the content filter in each provider's words.</summary>
    public static HailuoError JobFailure(string? message, string? code = null)
    {
        var text = message ?? "The provider reported the job as failed without a reason.";
        var lower = text.ToLowerInvariant();
        var filtered = lower.Contains("e005") || lower.Contains("sensitive") || lower.Contains("flagged")
            || lower.Contains("safety") || lower.Contains("content filter") || code is "1026" or "1027";
        return new HailuoError(filtered ? HailuoErrorKind.ContentFiltered : HailuoErrorKind.JobFailed, text, code);
    }

    /// <summary>The common HTTP mapping; each adapter adds its own body forms on top.</summary>
    protected static HailuoError? FromHttpStatus(HttpStatusCode status, string message, string? code, TimeSpan? retryAfter)
    {
        var s = (int)status;
        if (s is >= 200 and < 300)
        {
            return null;
        }
        var kind = s switch
        {
            401 or 403 => HailuoErrorKind.Authentication,
            402 => HailuoErrorKind.InsufficientCredits,
            404 or 410 => HailuoErrorKind.NotFound,
            408 => HailuoErrorKind.Transient,
            429 => HailuoErrorKind.RateLimited,
            >= 500 => HailuoErrorKind.Transient,
            _ => HailuoErrorKind.InvalidParameters,
        };
        return new HailuoError(kind, message, code ?? s.ToString(System.Globalization.CultureInfo.InvariantCulture), retryAfter: retryAfter);
    }

    /// <summary>Retry-After as delta seconds or an HTTP date, or a retry_after number in the body; the longer wins.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, JsonElement? root)
    {
        TimeSpan? fromHeader = null;
        if (headers.RetryAfter is { } header)
        {
            fromHeader = header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        }
        TimeSpan? fromBody = root is { } r && r.Double("retry_after") is { } seconds && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        if (fromHeader is null)
        {
            return fromBody;
        }
        if (fromBody is null)
        {
            return fromHeader;
        }
        return fromHeader > fromBody ? fromHeader : fromBody;
    }

    protected static string Truncate(string text, int max = 300) => text.Length <= max ? text : text.Substring(0, max) + "...";
}
