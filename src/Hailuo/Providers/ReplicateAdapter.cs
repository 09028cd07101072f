using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using Hailuo.Models;
using Hailuo.Transport;

namespace Hailuo.Providers;

/// <summary>Replicate's official-model predictions API, with RFC 7807 errors.</summary>
internal sealed class ReplicateAdapter : ProviderAdapter
{
    public ReplicateAdapter(HailuoClientOptions options)
        : base(options)
    {
    }

    public override HailuoProvider Provider => HailuoProvider.Replicate;

    protected override string[] IdFields => new[] { "id" };

    public override ApiCall BuildCreate(VideoRequest request, string model, string? image)
    {
        var input = ReplicateInput(request, image);
        var body = new Dictionary<string, object> { ["input"] = input };
        if (request.CallbackUrl is { Length: > 0 } webhook)
        {
            body["webhook"] = webhook;
            body["webhook_events_filter"] = new[] { "completed" };
        }
        var name = model == HailuoModels.Fast ? "hailuo-2.3-fast" : "hailuo-2.3";
        return ApiCall.Json(HttpMethod.Post, Url($"models/minimax/{name}/predictions"), body, isCreate: true);
    }

    public override HailuoJob ParseCreated(JsonElement root, string model) =>
        ParseStatus(root, new HailuoJob(root.String("id") ?? "", Provider, model, JobStatus.Queued));

    public override ApiCall BuildStatus(HailuoJob job) => new(HttpMethod.Get, Url("predictions/" + System.Uri.EscapeDataString(job.Id)));

    public override ApiCall BuildCancel(HailuoJob job) => new(HttpMethod.Post, Url("predictions/" + System.Uri.EscapeDataString(job.Id) + "/cancel"));

    public override HailuoJob ParseStatus(JsonElement root, HailuoJob job)
    {
        var status = StatusFromWord(root.String("status")) ?? job.Status;
        HailuoError? error = status == JobStatus.Failed ? JobFailure(Json.ErrorText(root.Property("error"))) : null;
        if (status == JobStatus.Succeeded && root.Property("data_removed") is { ValueKind: JsonValueKind.True })
        {
            error = new HailuoError(HailuoErrorKind.Expired, "Replicate has deleted this prediction's output (it keeps outputs for one hour).",
                recommendedAction: "Download promptly after completion; to get the video now, submit again with -Force.");
        }
        return job.With(
            status: status,
            videoUri: Json.FirstUrl(root.Property("output")),
            error: error,
            createdAt: root.Time("created_at"),
            startedAt: root.Time("started_at"),
            completedAt: root.Time("completed_at"));
    }

    public override HailuoError? Classify(HttpStatusCode status, JsonElement? root, string body, HttpResponseHeaders headers)
    {
        var message = root is { } r ? r.String("detail", "title") : null;
        return FromHttpStatus(status, message ?? Truncate(body), null, RetryAfter(headers, root));
    }
}
