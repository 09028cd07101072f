using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator.Core;

namespace Hailuo.Emulator.Providers;

/// <summary>
/// Cloudflare Workers AI running minimax/hailuo-2.3 (seed 003): the input is checked against the model's JSON schema,
/// replies come in Cloudflare's envelope, and the run holds until the video is ready, answering with status, task_id
/// and video. The Asynchronous Batch API is served too: <c>?queueRequest=true</c> with a <c>requests</c> array answers
/// at once with a request_id, and posting <c>{request_id}</c> back (again with ?queueRequest=true) answers with the
/// responses once every request has finished. Any other body is a run, with the flag or without, as for a model the
/// Batch API does not take; a <c>{request_id}</c> posted to the plain run is input the model does not take.
/// </summary>
public sealed class CloudflareApi : ProviderApi
{
    public const string Prefix = "/cloudflare/client/v4";
    public const string Model = "minimax/hailuo-2.3";

    public const int AuthCode = 10000;
    public const int RateLimitCode = 971;
    public const int AllocationCode = 3036;
    public const int InternalCode = 3043;
    public const int InvalidInputCode = 5006;
    public const int ContentFilterCode = 5016;

    private const string BodyItem = "cloudflare.body";

    private static readonly InputDialect Dialect = new(
        "Cloudflare Workers AI",
        new HashSet<string>(StringComparer.Ordinal)
        {
            "prompt", "first_frame_image", "prompt_optimizer", "fast_pretreatment", "duration", "resolution", "callback_url",
        },
        "768P",
        "1080P");

    // A batch's request id → its jobs, in the order of its requests, with the external_reference each gave.
    private readonly ConcurrentDictionary<string, IReadOnlyList<(string JobId, JsonNode? Reference)>> _batches = new(StringComparer.Ordinal);

    public CloudflareApi(EmulatorState state)
        : base(state, ProviderNames.Cloudflare, "Cloudflare Workers AI")
    {
    }

    public override void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix + "/accounts/{accountId}/ai");
        api.MapPost("/run/minimax/hailuo-2.3", Handle(ClassifyAsync, (context, info) => RunAsync(context, info, modelInPath: true)));
        api.MapPost("/run", Handle(ClassifyAsync, (context, info) => RunAsync(context, info, modelInPath: false)));
    }

    private static bool Queued(HttpContext context) => context.Request.Query["queueRequest"] == "true";

    /// <summary>A queued request whose body is just <c>{request_id}</c> asks after a batch; anything else runs.</summary>
    private static async Task<Operation> ClassifyAsync(HttpContext context)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            body = null;
        }
        context.Items[BodyItem] = body;
        return Queued(context) && IsPoll(body) ? Operation.Status : Operation.Create;
    }

    private static bool IsPoll(JsonNode? body) => body is JsonObject { Count: 1 } obj && obj.ContainsKey("request_id");

    private async Task<Reply> RunAsync(HttpContext context, RequestInfo info, bool modelInPath)
    {
        if (context.Items[BodyItem] is not JsonObject body)
        {
            return Refuse(new InputProblem("body", "The request body must be a JSON object."));
        }
        if (Queued(context) && IsPoll(body))
        {
            return Poll(body["request_id"]!.ToString());
        }
        if (Queued(context) && body.ContainsKey("requests"))
        {
            return QueueBatch(body, info);
        }
        // Any other body is a run, ?queueRequest=true or not: the Batch API takes only its own shape.

        JsonObject input = body;
        if (!modelInPath)
        {
            if (body["model"]?.ToString() != Model)
            {
                return Refuse(new InputProblem("model", $"model must be '{Model}'."));
            }
            if (body["input"] is not JsonObject wrapped)
            {
                return Refuse(new InputProblem("input", "input is required: an object with at least a prompt."));
            }
            input = wrapped;
        }
        if (CreateChecked(input, info, out var problem) is not { } job)
        {
            return Refuse(problem!);
        }
        try
        {
            await job.Finished.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client hung up; the job still runs and is still paid for, as upstream.
        }
        return Outcome(job);
    }

    /// <summary>Checks one input against the model's schema and makes its job; null with the problem when it does not pass.</summary>
    private EmulatedJob? CreateChecked(JsonObject input, RequestInfo info, out InputProblem? problem)
    {
        problem = InputRules.Check(input, Dialect, fastModel: false, out var resolution, out var duration);
        return problem is null ? MakeJob(input, info, resolution, duration) : null;
    }

    /// <summary>Makes the job of an input that passed the model's schema.</summary>
    private EmulatedJob MakeJob(JsonObject input, RequestInfo info, string resolution, int duration) =>
        CreateJob(State.NewId(15, "0123456789"), Model, input.DeepClone().AsObject(), info, resolution, duration, callback: null);

    /// <summary>The Batch API: every request is checked before any is made, then all are made under one request id.</summary>
    private Reply QueueBatch(JsonObject body, RequestInfo info)
    {
        if (body is not { Count: 1 } || body["requests"] is not JsonArray { Count: > 0 } requests)
        {
            return Refuse(new InputProblem("requests", "A batch is {\"requests\": [input, ...]}: a non-empty array of the model's inputs, and nothing else."));
        }
        var inputs = new List<(JsonObject Input, JsonNode? Reference, string Resolution, int Duration)>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is not JsonObject request)
            {
                return Refuse(new InputProblem($"requests/{i}", "Each request is an object of the model's input."));
            }
            var input = request.DeepClone().AsObject();
            var reference = input["external_reference"]?.DeepClone();
            input.Remove("external_reference");
            if (InputRules.Check(input, Dialect, fastModel: false, out var resolution, out var duration) is { } problem)
            {
                return Refuse(problem with { Field = $"requests/{i}/{problem.Field}" });
            }
            inputs.Add((input, reference, resolution, duration));
        }
        var jobs = inputs.Select(i => (MakeJob(i.Input, info, i.Resolution, i.Duration).Id, i.Reference)).ToList();
        var id = Guid.NewGuid().ToString();
        _batches[id] = jobs;
        return Envelope(new JsonObject { ["status"] = "queued", ["request_id"] = id, ["model"] = Model });
    }

    private Reply Poll(string requestId)
    {
        if (!_batches.TryGetValue(requestId, out var batch))
        {
            return NotFound($"request {requestId}");
        }
        var jobs = batch.Select(b => (Job: Board.Find(b.JobId)!, b.Reference)).ToList();
        foreach (var (job, _) in jobs)
        {
            Interlocked.Increment(ref job.Polls);
        }
        if (jobs.Any(j => !j.Job.IsFinal))
        {
            return Envelope(new JsonObject
            {
                ["status"] = jobs.Any(j => j.Job.State != JobState.Queued) ? "running" : "queued",
                ["request_id"] = requestId,
            });
        }
        var responses = new JsonArray();
        for (var i = 0; i < jobs.Count; i++)
        {
            var (job, reference) = jobs[i];
            var response = new JsonObject
            {
                ["id"] = i,
                ["result"] = Describe(job),
                ["success"] = job.State == JobState.Succeeded,
                ["external_reference"] = reference?.DeepClone(),
            };
            if (job.State == JobState.Failed)
            {
                response["errors"] = new JsonArray(new JsonObject { ["code"] = ContentFilterCode, ["message"] = FilteredMessage });
            }
            responses.Add(response);
        }
        return Envelope(new JsonObject { ["responses"] = responses, ["usage"] = new JsonObject { ["requests"] = jobs.Count } });
    }

    private const string FilteredMessage = "The output was flagged by MiniMax's content filter (1027). Change the prompt or image and submit again.";

    private Reply Outcome(EmulatedJob job)
    {
        if (job.State == JobState.Failed)
        {
            return Errors(StatusCodes.Status200OK, ContentFilterCode, FilteredMessage, result: Describe(job));
        }
        return Envelope(Describe(job));
    }

    public override JsonObject Describe(EmulatedJob job) => new()
    {
        ["video"] = job.State == JobState.Succeeded ? DownloadUrl(job) : null,
        ["task_id"] = job.Id,
        ["status"] = job.State switch
        {
            JobState.Queued => "Queueing",
            JobState.Running => "Processing",
            JobState.Succeeded => "Success",
            _ => "Fail",
        },
    };

    private static Reply Envelope(JsonObject result) => BodyReply.Json(new JsonObject
    {
        ["result"] = result,
        ["success"] = true,
        ["errors"] = new JsonArray(),
        ["messages"] = new JsonArray(),
    });

    private static BodyReply Errors(int status, int code, string message, JsonObject? result = null) => BodyReply.Json(new JsonObject
    {
        ["result"] = result,
        ["success"] = false,
        ["errors"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }),
        ["messages"] = new JsonArray(),
    }, status);

    protected override Reply AuthFailure(bool missing) =>
        Errors(StatusCodes.Status401Unauthorized, AuthCode, "Authentication error");

    protected override Reply RateLimited(TimeSpan retryAfter) =>
        Errors(StatusCodes.Status429TooManyRequests, RateLimitCode, "Please wait and consider throttling your request speed")
            .WithHeader("Retry-After", RetryAfterHeader(retryAfter));

    protected override Reply ServerError(int status) =>
        Errors(status, InternalCode, "Internal server error");

    protected override Reply InsufficientCredits() =>
        Errors(StatusCodes.Status429TooManyRequests, AllocationCode,
            "You have used up your daily free allocation of 10,000 neurons. Upgrade to Cloudflare's Workers Paid plan to continue.");

    protected override Reply Invalid(InputProblem problem) =>
        Errors(StatusCodes.Status400BadRequest, InvalidInputCode, $"Input validation failed at '/{problem.Field}': {problem.Message}");

    protected override Reply NotFound(string what) =>
        Errors(StatusCodes.Status404NotFound, 7003, $"Could not route to the requested resource: {what} not found");
}
