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
/// MiniMax's video API: create a task, query it, then files/retrieve for a fresh link. Errors arrive
/// as HTTP 200 with a non-zero base_resp.status_code.
/// </summary>
internal sealed class MiniMaxAdapter : ProviderAdapter
{
    public MiniMaxAdapter(HailuoClientOptions options)
        : base(options)
    {
    }

    public override HailuoProvider Provider => HailuoProvider.MiniMax;

    protected override string[] IdFields => new[] { "task_id" };

    public override bool StatusGivesVideoUri => false;

    public static string WireModel(string model) => model == HailuoModels.Fast ? "MiniMax-Hailuo-2.3-Fast" : "MiniMax-Hailuo-2.3";

    public override ApiCall BuildCreate(VideoRequest request, string model, string? image)
    {
        var body = new Dictionary<string, object>
        {
            ["model"] = WireModel(model),
            ["prompt"] = request.Prompt!,
            ["duration"] = request.EffectiveDuration,
            ["resolution"] = request.EffectiveResolution!.ToUpperInvariant(),
            ["prompt_optimizer"] = request.EffectivePromptOptimizer,
        };
        if (request.FastPretreatment is { } fast)
        {
            body["fast_pretreatment"] = fast;
        }
        if (image is not null)
        {
            body["first_frame_image"] = image;
        }
        if (request.CallbackUrl is { Length: > 0 } callback)
        {
            body["callback_url"] = callback;
        }
        return ApiCall.Json(HttpMethod.Post, Url("video_generation"), body, isCreate: true);
    }

    public override HailuoJob ParseCreated(JsonElement root, string model) =>
        new(root.String("task_id") ?? "", Provider, model, JobStatus.Queued);

    public override ApiCall BuildStatus(HailuoJob job) =>
        new(HttpMethod.Get, Url("query/video_generation?task_id=" + Uri.EscapeDataString(job.Id)));

    public override HailuoJob ParseStatus(JsonElement root, HailuoJob job)
    {
        var status = StatusFromWord(root.String("status")) ?? job.Status;
        HailuoError? error = null;
        if (status == JobStatus.Failed)
        {
            var code = root.Property("base_resp")?.Int("status_code");
            error = JobFailure(root.Property("base_resp")?.String("status_msg"), code?.ToString(CultureInfo.InvariantCulture));
        }
        var fileId = root.String("file_id");
        return job.With(status: status, fileId: string.IsNullOrEmpty(fileId) ? null : fileId, error: error);
    }

    public override ApiCall? BuildRetrieve(HailuoJob job) => job.FileId is { Length: > 0 } fileId
        ? new ApiCall(HttpMethod.Get, Url("files/retrieve?file_id=" + Uri.EscapeDataString(fileId)))
        : null;

    public override Uri? ParseRetrieve(JsonElement root) => Json.FirstUrl(root.Property("file")?.Property("download_url"));

    public override HailuoError? Classify(HttpStatusCode status, JsonElement? root, string body, HttpResponseHeaders headers)
    {
        var baseResp = root?.Property("base_resp");
        var code = baseResp?.Int("status_code");
        var message = baseResp?.String("status_msg") ?? Truncate(body);
        if (code is null or 0)
        {
            return FromHttpStatus(status, message, null, RetryAfter(headers, root));
        }
        var codeText = code.Value.ToString(CultureInfo.InvariantCulture);
        var kind = code.Value switch
        {
            1002 or 1039 => HailuoErrorKind.RateLimited,
            1004 or 2049 => HailuoErrorKind.Authentication,
            1008 => HailuoErrorKind.InsufficientCredits,
            1026 or 1027 => HailuoErrorKind.ContentFiltered,
            2013 => HailuoErrorKind.InvalidParameters,
            1000 or 1001 or 1024 or 1033 => HailuoErrorKind.Transient,
            _ => HailuoErrorKind.InvalidParameters,
        };
        if (kind == HailuoErrorKind.InvalidParameters && message.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            kind = HailuoErrorKind.NotFound;
        }
        return new HailuoError(kind, $"MiniMax: {message}", codeText, retryAfter: RetryAfter(headers, root));
    }
}
