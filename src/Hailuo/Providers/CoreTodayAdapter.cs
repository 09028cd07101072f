using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Transport;

namespace Hailuo.Providers;

/// <summary>core.today: POST/GET/DELETE /predictions with X-API-Key; both of its documented reply shapes.</summary>
internal sealed class CoreTodayAdapter : ProviderAdapter
{
    public CoreTodayAdapter(HailuoClientOptions options)
        : base(options)
    {
    }

    public override HailuoProvider Provider => HailuoProvider.CoreToday;

    protected override string[] IdFields => new[] { "job_id", "id" };

    public override void Authorize(HttpRequestMessage request, HailuoCredential credential) =>
        request.Headers.Add("X-API-Key", credential.Reveal());

    public static string WireModel(string model) => model == HailuoModels.Fast ? "minimax/hailuo-2.3-fast" : "minimax/hailuo-2.3";

    public override ApiCall BuildCreate(VideoRequest request, string model, string? image)
    {
        var input = ReplicateInput(request, image);
        var body = new Dictionary<string, object> { ["model"] = WireModel(model), ["input"] = input };
        if (request.CallbackUrl is { Length: > 0 } webhook)
        {
            body["webhook"] = webhook;
            body["webhook_events"] = new[] { "completed", "failed" };
        }
        return ApiCall.Json(HttpMethod.Post, Url("predictions"), body, isCreate: true);
    }

    public override HailuoJob ParseCreated(JsonElement root, string model) =>
        ParseStatus(root, new HailuoJob(root.String("job_id", "id") ?? "", Provider, model, JobStatus.Queued));

    public override ApiCall BuildStatus(HailuoJob job) => new(HttpMethod.Get, Url("predictions/" + System.Uri.EscapeDataString(job.Id)));

    public override ApiCall BuildCancel(HailuoJob job) => new(HttpMethod.Delete, Url("predictions/" + System.Uri.EscapeDataString(job.Id)));

    public override HailuoJob ParseStatus(JsonElement root, HailuoJob job)
    {
        var status = StatusFromWord(root.String("status")) ?? job.Status;
        // The seed's shape puts the URL in result; the other documented shape lists it in output.
        var video = Json.FirstUrl(root.Property("result")) ?? Json.FirstUrl(root.Property("output"));
        var error = status == JobStatus.Failed ? JobFailure(Json.ErrorText(root.Property("error"))) : null;
        return job.With(
            status: status,
            videoUri: video,
            error: error,
            createdAt: root.Time("created_at"),
            startedAt: root.Time("started_at"),
            completedAt: root.Time("completed_at"));
    }

    public override HailuoError? Classify(HttpStatusCode status, JsonElement? root, string body, HttpResponseHeaders headers)
    {
        var message = root is { } r ? Json.ErrorText(r.Property("error")) ?? r.String("message", "detail") : null;
        var error = FromHttpStatus(status, message ?? Truncate(body), null, RetryAfter(headers, root));
        if (error?.Kind == HailuoErrorKind.InvalidParameters && message is not null && JobFailure(message).Kind == HailuoErrorKind.ContentFiltered)
        {
            return JobFailure(message, error.Code);
        }
        return error;
    }
}
