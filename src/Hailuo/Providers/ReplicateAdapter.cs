using System.Collections.Generic;
using System.Globalization;
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
        return ApiCall.Json(HttpMethod.Post, Url($"models/{ModelId(model)}/predictions"), body, isCreate: true);
    }

    private static string ModelId(string model) => model == HailuoModels.Fast ? "minimax/hailuo-2.3-fast" : "minimax/hailuo-2.3";

    public override ApiCall? BuildListCreated(System.DateTimeOffset since) =>
        new(HttpMethod.Get, Url("predictions?created_after=" + System.Uri.EscapeDataString(
            since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))));

    public override (IReadOnlyList<ListedJob> Jobs, ApiCall? Next) ParseListed(JsonElement root)
    {
        var jobs = new List<ListedJob>();
        if (root.Property("results") is { ValueKind: JsonValueKind.Array } results)
        {
            foreach (var item in results.EnumerateArray())
            {
                // An id that is a path, a control character or a formula is no job of ours to adopt.
                if (item.String("id") is not { Length: > 0 } id || !JobIds.IsUsable(id))
                {
                    continue;
                }
                var model = item.String("model");
                var job = ParseStatus(item, new HailuoJob(id, Provider, HailuoModels.Normalize(model) ?? HailuoModels.Standard, JobStatus.Queued));
                var removed = item.Property("data_removed") is { ValueKind: JsonValueKind.True };
                jobs.Add(new ListedJob(job, model, removed ? null : item.Property("input")?.Clone()));
            }
        }
        return (jobs, PageCall(root.String("next")));
    }

    public override System.Func<ListedJob, bool> SameCreate(VideoRequest request, string model, string? image)
    {
        var modelId = ModelId(model);
        var expected = JsonSerializer.SerializeToElement(ReplicateInput(request, image));
        return listed => string.Equals(listed.Model, modelId, System.StringComparison.OrdinalIgnoreCase)
            && listed.Input is { } input
            && Json.Same(input, expected);
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
                remedy: HailuoRemedy.ForceResubmit);
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
