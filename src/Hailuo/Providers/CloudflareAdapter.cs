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
/// Cloudflare Workers AI: runs are queued (?queueRequest=true) so no connection is held for minutes,
/// then polled by POSTing {request_id}. Replies come in Cloudflare's {result, success, errors} envelope.
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

    protected override string[] IdFields => new[] { "request_id", "task_id" };

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
        return ApiCall.Json(HttpMethod.Post, RunUrl(queue: true), input, isCreate: true);
    }

    public override HailuoJob ParseCreated(JsonElement root, string model)
    {
        var result = root.Property("result") ?? default;
        var id = result.String("request_id") ?? result.String("task_id") ?? "";
        return ParseStatus(root, new HailuoJob(id, Provider, model, JobStatus.Queued));
    }

    /// <summary>A poll is a POST of the request id to the run endpoint; it is a read, and retried as one.</summary>
    public override ApiCall BuildStatus(HailuoJob job) =>
        ApiCall.Json(HttpMethod.Post, RunUrl(queue: false), new Dictionary<string, string> { ["request_id"] = job.Id });

    public override HailuoJob ParseStatus(JsonElement root, HailuoJob job)
    {
        var result = root.Property("result") ?? default;
        var status = StatusFromWord(result.String("status")) ?? job.Status;
        HailuoError? error = null;
        if (status == JobStatus.Failed)
        {
            var first = FirstError(root);
            error = JobFailure(first.Message, first.Code?.ToString(CultureInfo.InvariantCulture));
            if (first.Code == ContentFilterCode)
            {
                error = new HailuoError(HailuoErrorKind.ContentFiltered, first.Message ?? "The output was flagged by the content filter.", first.Code.Value.ToString(CultureInfo.InvariantCulture));
            }
        }
        return job.With(status: status, videoUri: Json.FirstUrl(result.Property("video")), taskId: result.String("task_id"), error: error);
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
