using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator.Core;

namespace Hailuo.Emulator.Providers;

/// <summary>
/// Cloudflare Workers AI running minimax/hailuo-2.3 (seed 003): the input is checked against the
/// model's JSON schema, replies come in Cloudflare's envelope, a plain run holds until the video is
/// ready, and <c>?queueRequest=true</c> answers at once with a request id to poll.
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

    private readonly ConcurrentDictionary<string, string> _requests = new(StringComparer.Ordinal);

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

    /// <summary>A body of just <c>{request_id}</c> is a poll of a queued request; anything else is a run.</summary>
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
        return body is JsonObject { Count: 1 } obj && obj.ContainsKey("request_id") ? Operation.Status : Operation.Create;
    }

    private async Task<Reply> RunAsync(HttpContext context, RequestInfo info, bool modelInPath)
    {
        if (context.Items[BodyItem] is not JsonObject body)
        {
            return Refuse(new InputProblem("body", "The request body must be a JSON object."));
        }
        if (body is { Count: 1 } && body["request_id"] is JsonNode requestId)
        {
            return Poll(requestId.ToString());
        }

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
        var problem = InputRules.Check(input, Dialect, fastModel: false, out var resolution, out var duration);
        if (problem is not null)
        {
            return Refuse(problem);
        }

        var job = CreateJob(State.NewId(15, "0123456789"), Model, input.DeepClone().AsObject(), info, resolution, duration, callback: null);
        if (context.Request.Query["queueRequest"] == "true")
        {
            var request = Guid.NewGuid().ToString();
            _requests[request] = job.Id;
            return Envelope(new JsonObject { ["status"] = "queued", ["request_id"] = request });
        }
        try
        {
            await job.Finished.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client hung up; the job still runs and is still paid for, as upstream.
        }
        return Outcome(job, requestId: null);
    }

    private Reply Poll(string requestId)
    {
        var job = _requests.TryGetValue(requestId, out var id) ? Board.Find(id) : null;
        if (job is null)
        {
            return NotFound($"request {requestId}");
        }
        Interlocked.Increment(ref job.Polls);
        return Outcome(job, requestId);
    }

    private Reply Outcome(EmulatedJob job, string? requestId)
    {
        if (!job.IsFinal)
        {
            return Envelope(new JsonObject
            {
                ["status"] = job.State == JobState.Running ? "running" : "queued",
                ["request_id"] = requestId,
            });
        }
        if (job.State == JobState.Failed)
        {
            return Errors(StatusCodes.Status200OK, ContentFilterCode,
                "The output was flagged by MiniMax's content filter (1027). Change the prompt or image and submit again.",
                result: Describe(job));
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
