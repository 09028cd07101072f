using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using Hailuo.Models;
using Hailuo.Transport;

namespace Hailuo.Providers;

/// <summary>
/// Cloudflare Workers AI, as its model page (seed 003) documents minimax/hailuo-2.3: a run that holds until the video
/// is ready and answers with status, task_id and video, so each run under way is a job in flight and nothing is
/// polled. With <see cref="HailuoClientOptions.CloudflareBatch"/>, the Asynchronous Batch API instead: a
/// <c>requests</c> array sent with ?queueRequest=true, then its request_id posted until the responses are there.
/// Replies come in Cloudflare's {result, success, errors} envelope.
/// </summary>
internal sealed class CloudflareAdapter : ProviderAdapter
{
    public const int AuthCode = 10000;
    public const int RateLimitCode = 971;
    public const int AllocationCode = 3036;
    public const int InvalidInputCode = 5006;
    public const int ContentFilterCode = 5016;

    public CloudflareAdapter(HailuoClientOptions options)
        : base(options)
    {
    }

    public override HailuoProvider Provider => HailuoProvider.Cloudflare;

    protected override string[] IdFields => Options.CloudflareBatch ? new[] { "request_id" } : new[] { "task_id" };

    private Uri RunUrl(bool queue) =>
        Url($"accounts/{Uri.EscapeDataString(Options.CloudflareAccountId ?? "")}/ai/run/minimax/hailuo-2.3" + (queue ? "?queueRequest=true" : ""));

    public override ApiCall BuildCreate(VideoRequest request, string model, string? image)
    {
        var input = new Dictionary<string, object>
        {
            ["prompt"] = request.Prompt!,
            ["duration"] = request.EffectiveDuration,
            ["resolution"] = request.EffectiveResolution!.ToUpperInvariant(),
            ["prompt_optimizer"] = request.EffectivePromptOptimizer,
            ["fast_pretreatment"] = request.EffectiveFastPretreatment,
        };
        if (image is not null)
        {
            input["first_frame_image"] = image;
        }
        if (request.CallbackUrl is { Length: > 0 } callback)
        {
            input["callback_url"] = callback;
        }
        if (Options.CloudflareBatch)
        {
            var batch = new Dictionary<string, object> { ["requests"] = new[] { input } };
            return ApiCall.Json(HttpMethod.Post, RunUrl(queue: true), batch, isCreate: true);
        }
        // The run answers when the video is ready: it may hold as long as a generation takes.
        var run = ApiCall.Json(HttpMethod.Post, RunUrl(queue: false), input, isCreate: true);
        run.Timeout = Options.CloudflareRunTimeout;
        return run;
    }

    public override HailuoJob ParseCreated(JsonElement root, string model)
    {
        var result = root.Property("result") ?? default;
        if (Options.CloudflareBatch)
        {
            return ParseStatus(root, new HailuoJob(result.String("request_id") ?? "", Provider, model, JobStatus.Queued));
        }
        var job = ParseOutcome(root, result, new HailuoJob(result.String("task_id") ?? "", Provider, model, JobStatus.Queued));
        if (job.IsFinal || job.Id.Length == 0)
        {
            return job;
        }
        // Only task_id is required of the answer; without a final status there is no documented call to ask again.
        return job.With(status: JobStatus.Failed, error: new HailuoError(HailuoErrorKind.Protocol,
            $"Cloudflare's run answered before the video was ready ({result.String("status") ?? "no status"}, task {job.Id}), and Cloudflare documents no call that asks again. The job may still finish at Cloudflare and be charged.",
            remedy: HailuoRemedy.LookAgainLater));
    }

    /// <summary>A batch is polled by posting its request id back with ?queueRequest=true; it is a read, and retried as one.</summary>
    public override ApiCall BuildStatus(HailuoJob job) =>
        ApiCall.Json(HttpMethod.Post, RunUrl(queue: true), new Dictionary<string, string> { ["request_id"] = job.Id });

    public override HailuoJob ParseStatus(JsonElement root, HailuoJob job)
    {
        var result = root.Property("result") ?? default;
        // A finished batch lists one response per request sent; this one sent one.
        if (result.Property("responses") is { ValueKind: JsonValueKind.Array } responses)
        {
            foreach (var response in responses.EnumerateArray())
            {
                var outcome = response.Property("result") ?? default;
                var parsed = ParseOutcome(response, outcome, job);
                if (response.Property("success") is { ValueKind: JsonValueKind.False } && !parsed.IsFinal)
                {
                    var first = FirstError(response);
                    parsed = parsed.With(status: JobStatus.Failed, error: JobFailure(first.Message, first.Code?.ToString(CultureInfo.InvariantCulture)));
                }
                return parsed;
            }
        }
        return ParseOutcome(root, result, job);
    }

    /// <summary>The job as one answer of the model's output schema (status, task_id, video) describes it; errors come from <paramref name="envelope"/>.</summary>
    private HailuoJob ParseOutcome(JsonElement envelope, JsonElement result, HailuoJob job)
    {
        var video = Json.FirstUrl(result.Property("video"));
        // The schema requires only task_id: a video alone means the run finished.
        var status = StatusFromWord(result.String("status")) ?? (video is not null ? JobStatus.Succeeded : job.Status);
        HailuoError? error = null;
        if (status == JobStatus.Failed)
        {
            var first = FirstError(envelope);
            error = first.Code == ContentFilterCode
                ? new HailuoError(HailuoErrorKind.ContentFiltered, first.Message ?? "The output was flagged by the content filter.", first.Code.Value.ToString(CultureInfo.InvariantCulture))
                : JobFailure(first.Message, first.Code?.ToString(CultureInfo.InvariantCulture));
        }
        return job.With(status: status, videoUri: video, taskId: result.String("task_id"), error: error);
    }

    public override HailuoError? Classify(HttpStatusCode status, JsonElement? root, string body, HttpResponseHeaders headers)
    {
        var (code, message) = root is { } r ? FirstError(r) : (null, null);
        var failedJob = root?.Property("result")?.String("status") is { } word && StatusFromWord(word) == JobStatus.Failed;
        if ((int)status is >= 200 and < 300 && (root?.Property("success") is not { ValueKind: JsonValueKind.False } || failedJob))
        {
            // A failed job is an answer about the job, not an error of the call.
            return null;
        }
        var text = SpreadsheetSafe.Text(message ?? Truncate(body));
        var codeText = code?.ToString(CultureInfo.InvariantCulture);
        return code switch
        {
            AuthCode => new HailuoError(HailuoErrorKind.Authentication, text, codeText),
            AllocationCode => new HailuoError(HailuoErrorKind.InsufficientCredits, text, codeText),
            RateLimitCode => new HailuoError(HailuoErrorKind.RateLimited, text, codeText, retryAfter: RetryAfter(headers, root)),
            InvalidInputCode => new HailuoError(HailuoErrorKind.InvalidParameters, text, codeText),
            ContentFilterCode => new HailuoError(HailuoErrorKind.ContentFiltered, text, codeText),
            _ => FromHttpStatus(status, text, codeText, RetryAfter(headers, root))
                ?? new HailuoError(HailuoErrorKind.Protocol, text, codeText),
        };
    }

    private static (int? Code, string? Message) FirstError(JsonElement root)
    {
        if (root.Property("errors") is { ValueKind: JsonValueKind.Array } errors)
        {
            foreach (var error in errors.EnumerateArray())
            {
                return (error.Int("code"), error.String("message"));
            }
        }
        return (null, null);
    }
}
