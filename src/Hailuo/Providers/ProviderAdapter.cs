using System;
using System.Collections.Generic;
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
    // Read once, not on every attempt: EffectiveBaseUri looks the provider's default up when no BaseUri was given.
    private readonly Uri _origin;

    protected ProviderAdapter(HailuoClientOptions options)
    {
        Options = options;
        _origin = options.EffectiveBaseUri;
        _base = _origin.ToString().TrimEnd('/');
    }

    public abstract HailuoProvider Provider { get; }

    /// <summary>The provider's facts: names, limits, and which calls it has.</summary>
    public ProviderProfile Profile => ProviderProfiles.For(Provider);

    protected HailuoClientOptions Options { get; }

    public virtual void Authorize(HttpRequestMessage request, HailuoCredential credential) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.Reveal());

    /// <summary>The provider's create call for a validated request; <paramref name="image"/> is a URL or a data URI.</summary>
    public abstract ApiCall BuildCreate(VideoRequest request, string model, string? image);

    public abstract HailuoJob ParseCreated(JsonElement root, string model);

    public abstract ApiCall BuildStatus(HailuoJob job);

    public abstract HailuoJob ParseStatus(JsonElement root, HailuoJob job);

    /// <summary>The cancel call, or null when the provider has none (<see cref="ProviderProfile.CanCancel"/>).</summary>
    public virtual ApiCall? BuildCancel(HailuoJob job) => null;

    /// <summary>MiniMax's files/retrieve; null where the job's own URL is the download link.</summary>
    public virtual ApiCall? BuildRetrieve(HailuoJob job) => null;

    public virtual Uri? ParseRetrieve(JsonElement root) => null;

    /// <summary>Whether a status read that shows a succeeded job gives a fresh link (false for MiniMax, whose link comes from retrieve).</summary>
    public virtual bool StatusGivesVideoUri => true;

    /// <summary>Whether this adapter's creates hold until the video is ready (<see cref="ProviderProfile.CreateWaitsForVideo"/>), with its options.</summary>
    public bool CreateWaitsForVideo => Profile.CreateWaitsForVideo(Options);

    /// <summary>Whether the video's link comes only in the create's answer (<see cref="ProviderProfile.GivesVideoLinkOnce"/>), with its options.</summary>
    public bool GivesVideoLinkOnce => Profile.GivesVideoLinkOnce(Options);

    /// <summary>
    /// Why a video whose only link is gone (<see cref="GivesVideoLinkOnce"/>) cannot be fetched: nothing gives another
    /// link, so only a new, paid create makes the video again.
    /// </summary>
    public HailuoError VideoLinkGone(string jobId, string why, string? code = null) => new(HailuoErrorKind.Expired,
        $"{Provider} gives the link to a video only in its run's answer, and {why}, so the video of {jobId} cannot be fetched again.",
        code, HailuoRemedy.ForceResubmit);

    /// <summary>
    /// The call that lists the account's jobs created after <paramref name="since"/>, newest first, or null when
    /// the provider has no such call (<see cref="ProviderProfile.ListsCreatedJobs"/>). It is how a create whose
    /// answer was lost can be found again.
    /// </summary>
    public virtual ApiCall? BuildListCreated(DateTimeOffset since) => null;

    /// <summary>One page of that list, and the call for the next page (null after the last).</summary>
    public virtual (IReadOnlyList<ListedJob> Jobs, ApiCall? Next) ParseListed(JsonElement root) => (Array.Empty<ListedJob>(), null);

    /// <summary>
    /// Tells whether a listed job is what this create made (the same model and exactly the same input); built once
    /// per lookup, since a listing can hold thousands of jobs. Never matches where the provider cannot list jobs.
    /// </summary>
    public virtual Func<ListedJob, bool> SameCreate(VideoRequest request, string model, string? image) => static _ => false;

    /// <summary>
    /// Whether a request goes to the API's own origin (scheme, host and port), the only place the key
    /// is sent: another port of the same host is another server, and http is not https.
    /// </summary>
    public bool IsApiOrigin(Uri uri) =>
        Uri.Compare(uri, _origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>A link the provider gave to page on: followed only to the API's own origin (keys go nowhere else).</summary>
    protected ApiCall? PageCall(string? link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri) && IsApiOrigin(uri) ? new ApiCall(HttpMethod.Get, uri) : null;

    /// <summary>The error in an answer, or null when it is a success. MiniMax's errors come with HTTP 200.</summary>
    public abstract HailuoError? Classify(HttpStatusCode status, JsonElement? root, string body, HttpResponseHeaders headers);

    /// <summary>
    /// Pulls a job id out of a create answer that arrived cut short or garbled, so that a paid job
    /// is not lost because its reply was damaged.
    /// </summary>
    public virtual string? SalvageId(string body)
    {
        var match = Regex.Match(body, "\"(?:" + string.Join("|", IdFields) + ")\"\\s*:\\s*\"([^\"\\\\]{4,128})\"");
        return match.Success && JobIds.IsUsable(match.Groups[1].Value) ? match.Groups[1].Value : null;
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
        var text = SpreadsheetSafe.Text(message ?? "The provider reported the job as failed without a reason.");
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
        if (string.IsNullOrWhiteSpace(message))
        {
            message = $"The provider answered HTTP {s} ({status}) without saying why.";
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
        return new HailuoError(kind, SpreadsheetSafe.Text(message), code ?? s.ToString(System.Globalization.CultureInfo.InvariantCulture), retryAfter: retryAfter);
    }

    /// <summary>
    /// Retry-After as delta seconds or an HTTP date (counted from now on the client's clock), or a retry_after number
    /// in the body; the longer wins.
    /// </summary>
    public TimeSpan? RetryAfter(HttpResponseHeaders headers, JsonElement? root)
    {
        var fromHeader = HttpRetryPolicy.RetryAfter(headers, Options.TimeProvider.GetUtcNow());
        // Capped at 1e9 s (31 years): a TimeSpan overflows past 29,000 years, and any wait that long is refused anyway.
        TimeSpan? fromBody = root is { } r && r.Double("retry_after") is { } seconds && seconds >= 0 ? TimeSpan.FromSeconds(Math.Min(seconds, 1e9)) : null;
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

    protected static string Truncate(string text) => ShortText.Cut(text, 300);
}

/// <summary>One job in a provider's list of the account's jobs.</summary>
internal sealed class ListedJob
{
    public ListedJob(HailuoJob job, string? model, JsonElement? input)
    {
        Job = job;
        Model = model;
        Input = input;
    }

    public HailuoJob Job { get; }

    /// <summary>The model as the provider names it.</summary>
    public string? Model { get; }

    /// <summary>What the job was made from; null once the provider has deleted it.</summary>
    public JsonElement? Input { get; }
}
